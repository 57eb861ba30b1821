import pytest

from migrate.readiness.rule import Severity
from migrate.readiness.rules import os_03_end_of_life as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("guest_id", ["windows7Server64Guest", "winNetStandardGuest", "winXPProGuest", "rhel6_64Guest", "centos7_64Guest", "sles11_64Guest"])
def test_readiness_warns_for_end_of_life_guest(guest_id):
    (finding,) = outcomes(rule, make_vm(guest_id=guest_id))
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize("guest_id", ["rhel9_64Guest", "windows2019srvNext_64Guest", "debian12_64Guest", None])
def test_readiness_passes_supported_guest(guest_id):
    assert outcomes(rule, make_vm(guest_id=guest_id)) == []
