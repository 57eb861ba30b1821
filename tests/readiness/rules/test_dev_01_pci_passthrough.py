from migrate.inventory.model import Device
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dev_01_pci_passthrough as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_blocks_pci_passthrough():
    (finding,) = outcomes(rule, make_vm(devices=[Device("pci_passthrough", "PCI device 0")]))
    assert finding.severity is Severity.BLOCKER


def test_readiness_passes_ordinary_devices():
    assert outcomes(rule, make_vm(devices=[Device("cdrom", "CD/DVD drive 1")])) == []
