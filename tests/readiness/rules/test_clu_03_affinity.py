from migrate.inventory.model import Cluster, ClusterRule, Inventory
from migrate.readiness.rule import Severity
from migrate.readiness.rules import clu_03_affinity as rule
from tests.readiness.factories import make_context, make_vm, outcomes


def test_readiness_warns_for_cpu_affinity():
    (finding,) = outcomes(rule, make_vm(cpu_affinity=[0, 1]))
    assert finding.severity is Severity.WARNING and finding.evidence == {"cpu_affinity": [0, 1]}


def test_readiness_warns_for_vm_host_rule():
    vm = make_vm()
    cluster = Cluster("CL1", rules=[ClusterRule("sql-on-esx1", "vm-host", True, True, ["app01"])])
    (finding,) = outcomes(rule, vm, make_context(inventory=Inventory("vc1", vms=[vm], clusters=[cluster])))
    assert finding.evidence == {"cluster.rules": ["sql-on-esx1"]}


def test_readiness_passes_vm_without_placement_rules():
    assert outcomes(rule, make_vm(cpu_affinity=None)) == []
