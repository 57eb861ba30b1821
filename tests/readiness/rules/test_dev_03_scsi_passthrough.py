from migrate.inventory.model import Device
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dev_03_scsi_passthrough as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_blocks_scsi_passthrough():
    (finding,) = outcomes(rule, make_vm(devices=[Device("scsi_passthrough", "SCSI device 0")]))
    assert finding.severity is Severity.BLOCKER


def test_readiness_passes_without_scsi_passthrough():
    assert outcomes(rule, make_vm()) == []
