from migrate.inventory.model import Inventory
from migrate.mapping.model import TargetFacts
from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import net_04_mac_conflict as rule
from tests.readiness.factories import make_context, make_nic, make_vm, outcomes


def test_readiness_blocks_mac_already_on_target():
    vm = make_vm()
    context = make_context(vm, target=TargetFacts(existing_macs=frozenset({"00:50:56:01:02:03"})))
    (finding,) = outcomes(rule, vm, context)
    assert finding.severity is Severity.BLOCKER and "target" in finding.message


def test_readiness_blocks_mac_used_twice_in_source():
    first, second = make_vm(), make_vm(name="app02", moref="vm-102", nics=[make_nic(mac="00:50:56:01:02:03")])
    (finding,) = outcomes(rule, first, make_context(inventory=Inventory("vc1", vms=[first, second])))
    assert "source" in finding.message


def test_readiness_passes_unique_mac():
    assert outcomes(rule, make_vm()) == []


def test_a_nic_without_a_mac_cannot_be_cleared():
    (outcome,) = outcomes(rule, make_vm(nics=[make_nic(mac=None)]))
    assert isinstance(outcome, Unknown) and outcome.can_block and outcome.missing == "MAC of Network adapter 1"
