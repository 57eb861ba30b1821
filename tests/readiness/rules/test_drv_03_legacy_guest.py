import pytest

from migrate.readiness.rule import Severity
from migrate.readiness.rules import drv_03_legacy_guest as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize(
    ("guest_id", "nic"), [("winNTGuest", "rtl8139"), ("win2000ServGuest", "rtl8139"), ("winXPProGuest", "e1000"), ("winNetStandardGuest", "e1000")]
)
def test_readiness_notes_legacy_windows_on_ide_with_an_old_nic_and_no_agent(guest_id, nic):
    (finding,) = outcomes(rule, make_vm(guest_id=guest_id, guest_full_name=None))
    assert finding.severity is Severity.INFO and finding.evidence["nic_model"] == nic and "no guest agent" in finding.message


@pytest.mark.parametrize("guest_id", ["windows7Server64Guest", "rhel8_64Guest", "winVistaGuest"])
def test_readiness_passes_guests_with_modern_drivers(guest_id):
    assert outcomes(rule, make_vm(guest_id=guest_id, guest_full_name=None)) == []
