from migrate.inventory.model import Cluster, Inventory
from migrate.readiness.rule import Severity
from migrate.readiness.rules import clu_02_drs_ha as rule
from tests.readiness.factories import make_context, make_vm, outcomes


def _outcomes(**cluster):
    vm = make_vm()
    return outcomes(rule, vm, make_context(inventory=Inventory("vc1", vms=[vm], clusters=[Cluster("CL1", **cluster)])))


def test_readiness_notes_ha_or_drs_cluster_and_says_ha_rules_not_groups():
    (finding,) = _outcomes(ha_enabled=True, drs_enabled=False)
    assert finding.severity is Severity.INFO and "HA rules" in finding.remedy and "add the VM to a Proxmox HA group" not in finding.remedy.lower()


def test_readiness_leaves_an_unknown_ha_setting_out_of_the_evidence():
    (finding,) = _outcomes(ha_enabled=None, drs_enabled=True)
    assert finding.evidence == {"cluster.drs_enabled": True}


def test_readiness_ignores_cluster_without_ha_and_drs():
    assert _outcomes(ha_enabled=False, drs_enabled=False) == []
