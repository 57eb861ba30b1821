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


@pytest.mark.parametrize("name", ["CentOS 7 (64-bit)", "Microsoft Windows Server 2008 R2 (64-bit)", "Red Hat Enterprise Linux 6 (64-bit)",
                                  "SUSE Linux Enterprise 11 (64-bit)", "Debian GNU/Linux 9 (64-bit)"])
def test_the_os_name_of_an_export_without_guest_ids_is_judged_too(name):
    (finding,) = outcomes(rule, make_vm(guest_id=None, guest_full_name=name))
    assert finding.severity is Severity.WARNING and finding.evidence == {"guest_full_name": name}


@pytest.mark.parametrize("name", ["Red Hat Enterprise Linux 9 (64-bit)", "Microsoft Windows Server 2019 (64-bit)", "CentOS 8 (64-bit)"])
def test_a_supported_os_name_passes(name):
    assert outcomes(rule, make_vm(guest_id=None, guest_full_name=name)) == []
