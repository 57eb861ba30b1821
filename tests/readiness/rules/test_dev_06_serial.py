from migrate.inventory.model import Device
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dev_06_serial as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_warns_for_network_serial_port():
    (finding,) = outcomes(rule, make_vm(devices=[Device("serial", "Serial port 1", backing="network")]))
    assert finding.severity is Severity.WARNING and finding.evidence["device.backing"] == "network"


def test_readiness_passes_without_serial_port():
    assert outcomes(rule, make_vm()) == []
