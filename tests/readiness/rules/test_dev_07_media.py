import pytest

from migrate.inventory.model import Device
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dev_07_media as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("device", [Device("cdrom", "CD/DVD drive 1", backing="iso"), Device("floppy", "Floppy drive 1")])
def test_readiness_notes_media_that_is_not_copied(device):
    (finding,) = outcomes(rule, make_vm(devices=[device]))
    assert finding.severity is Severity.INFO


def test_readiness_ignores_empty_client_cdrom():
    assert outcomes(rule, make_vm(devices=[Device("cdrom", "CD/DVD drive 1", backing="client_device")])) == []
