from migrate.inventory.model import Device
from migrate.readiness.assess import assess_vm
from migrate.readiness.rule import Severity, Verdict
from migrate.readiness.rules import dev_01_pci_passthrough as rule
from tests.readiness.factories import make_context, make_vm, outcomes, rvtools_context


def test_readiness_blocks_pci_passthrough():
    (finding,) = outcomes(rule, make_vm(devices=[Device("pci_passthrough", "PCI device 0")]))
    assert finding.severity is Severity.BLOCKER


def test_readiness_passes_ordinary_devices():
    assert outcomes(rule, make_vm(devices=[Device("cdrom", "CD/DVD drive 1")])) == []


def test_an_export_without_passthrough_facts_leaves_the_vm_not_assessed_never_passed():
    vm = make_vm()
    result = assess_vm(vm, rvtools_context(vm))
    (unknown,) = [u for u in result.unknowns if u.rule_id == "DEV-01"]
    assert unknown.message == "PCI passthrough device: not assessed, PCI passthrough devices: not in the RVTools export"
    assert unknown.can_block and result.verdict is Verdict.UNKNOWN


def test_an_api_discovery_passes_a_vm_without_passthrough():
    vm = make_vm()
    assert not [u for u in assess_vm(vm, make_context(vm)).unknowns if u.rule_id == "DEV-01"]
