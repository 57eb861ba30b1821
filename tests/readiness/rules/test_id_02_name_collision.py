from migrate.inventory.model import Inventory
from migrate.mapping.model import TargetFacts
from migrate.readiness.rule import Severity
from migrate.readiness.rules import id_02_name_collision as rule
from tests.readiness.factories import make_context, make_vm, outcomes


def test_readiness_warns_when_target_already_has_the_name():
    vm = make_vm()
    (finding,) = outcomes(rule, vm, make_context(vm, target=TargetFacts(existing_names=frozenset({"APP01"}))))
    assert finding.severity is Severity.WARNING and finding.evidence["proxmox_name"] == "app01-2"


def test_readiness_warns_for_the_second_of_two_vms_with_the_same_cleaned_name():
    first, second = make_vm(name="web 01"), make_vm(name="web_01", moref="vm-102")
    context = make_context(inventory=Inventory("vc1", vms=[second, first]))
    assert outcomes(rule, first, context) == []
    assert outcomes(rule, second, context)[0].evidence["proxmox_name"] == "web-01-2"


def test_readiness_passes_unique_name():
    assert outcomes(rule, make_vm()) == []
