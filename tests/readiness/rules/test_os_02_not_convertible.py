import pytest

from migrate.readiness.rule import Severity
from migrate.readiness.rules import os_02_not_convertible as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("guest_id", ["freebsd13_64Guest", "solaris11_64Guest", "darwin19_64Guest", "vmwarePhoton64Guest", "win98Guest"])
def test_readiness_warns_for_guest_virt_v2v_cannot_convert(guest_id):
    (finding,) = outcomes(rule, make_vm(guest_id=guest_id))
    assert finding.severity is Severity.WARNING and finding.evidence == {"guest_id": guest_id}


@pytest.mark.parametrize("guest_id", ["rhel8_64Guest", "windows2019srv_64Guest", "ubuntu64Guest", "sles15_64Guest", "otherGuest", None])
def test_readiness_passes_convertible_or_unidentified_guest(guest_id):
    assert outcomes(rule, make_vm(guest_id=guest_id, guest_id_detected=None)) == []
