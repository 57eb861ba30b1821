from migrate.inventory.model import Controller, Device
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dev_05_usb as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_warns_for_usb_device():
    (finding,) = outcomes(rule, make_vm(devices=[Device("usb", "USB dongle")]))
    assert finding.severity is Severity.WARNING and finding.evidence == {"usb": ["USB dongle"]}


def test_readiness_warns_for_usb_controller():
    assert outcomes(rule, make_vm(controllers=[Controller(7000, "usb", "usb3")]))


def test_readiness_passes_without_usb():
    assert outcomes(rule, make_vm()) == []
