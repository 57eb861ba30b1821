from migrate.inventory.model import Device
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dev_02_vgpu as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_blocks_vgpu():
    (finding,) = outcomes(rule, make_vm(devices=[Device("vgpu", "PCI device 0", summary="grid_t4-4q")]))
    assert finding.severity is Severity.BLOCKER and finding.evidence["device.summary"] == "grid_t4-4q"


def test_readiness_passes_without_vgpu():
    assert outcomes(rule, make_vm()) == []
