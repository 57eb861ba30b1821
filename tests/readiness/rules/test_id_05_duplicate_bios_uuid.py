from migrate.inventory.model import Inventory
from migrate.readiness.rule import Severity
from migrate.readiness.rules import id_05_duplicate_bios_uuid as rule
from tests.readiness.factories import make_context, make_vm, outcomes


def test_readiness_warns_about_a_bios_uuid_that_a_clone_shares():
    first = make_vm()
    clone = make_vm(name="app02", moref="vm-102", instance_uuid="5000-clone", bios_uuid=first.bios_uuid.upper())
    (finding,) = outcomes(rule, first, make_context(inventory=Inventory("vc1", vms=[first, clone])))
    assert finding.severity is Severity.WARNING and finding.evidence["shared_with"] == ["app02"]
    assert "app02" in finding.message


def test_readiness_passes_a_unique_bios_uuid_and_a_vm_without_one():
    vm = make_vm()
    assert outcomes(rule, vm, make_context(inventory=Inventory("vc1", vms=[vm, make_vm(name="b", bios_uuid="other")]))) == []
    assert outcomes(rule, make_vm(bios_uuid=None)) == []
