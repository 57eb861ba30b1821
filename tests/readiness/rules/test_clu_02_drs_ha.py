from migrate.inventory.model import Cluster, Inventory
from migrate.readiness.rule import Severity
from migrate.readiness.rules import clu_02_drs_ha as rule
from tests.readiness.factories import make_context, make_vm, outcomes


def _outcomes(**cluster):
    vm = make_vm()
    return outcomes(rule, vm, make_context(inventory=Inventory("vc1", vms=[vm], clusters=[Cluster("CL1", **cluster)])))


def test_readiness_notes_ha_or_drs_cluster():
    (finding,) = _outcomes(ha_enabled=True, drs_enabled=False)
    assert finding.severity is Severity.INFO


def test_readiness_ignores_cluster_without_ha_and_drs():
    assert _outcomes(ha_enabled=False, drs_enabled=False) == []
