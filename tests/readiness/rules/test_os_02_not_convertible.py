import pytest

from migrate.readiness.rule import Severity
from migrate.readiness.rules import os_02_not_convertible as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("guest_id", ["solaris11_64Guest", "darwin19_64Guest", "vmwarePhoton64Guest"])
def test_readiness_warns_for_guest_virt_v2v_cannot_convert_mapped_to_virtio(guest_id):
    (finding,) = outcomes(rule, make_vm(guest_id=guest_id, guest_full_name=None))
    assert finding.severity is Severity.WARNING and finding.evidence == {"guest_id": guest_id, "nic_model": "virtio", "boot_bus": "scsi"}
    assert "emulated" not in finding.remedy and "virtio-scsi" in finding.remedy


def test_readiness_does_not_tell_freebsd_to_keep_emulated_devices_its_config_does_not_have():
    (finding,) = outcomes(rule, make_vm(guest_id="freebsd13_64Guest", guest_full_name="FreeBSD 13 (64-bit)"))
    assert finding.severity is Severity.INFO and finding.evidence["nic_model"] == "virtio"
    assert "e1000" not in finding.remedy and "VirtIO built in" in finding.remedy


def test_readiness_says_the_config_keeps_emulated_devices_for_windows_98():
    (finding,) = outcomes(rule, make_vm(guest_id="win98Guest", guest_full_name=None))
    assert finding.severity is Severity.WARNING and finding.evidence == {"guest_id": "win98Guest", "nic_model": "pcnet", "boot_bus": "ide"}


@pytest.mark.parametrize("guest_id", ["rhel8_64Guest", "windows2019srv_64Guest", "ubuntu64Guest", "sles15_64Guest", "otherGuest", None])
def test_readiness_passes_convertible_or_unidentified_guest(guest_id):
    assert outcomes(rule, make_vm(guest_id=guest_id, guest_id_detected=None)) == []


@pytest.mark.parametrize("name", ["Oracle Solaris 11 (64-bit)", "VMware Photon OS (64-bit)", "Microsoft Windows 98"])
def test_the_os_name_of_an_export_without_guest_ids_is_judged_too(name):
    (finding,) = outcomes(rule, make_vm(guest_id=None, guest_full_name=name))
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize("name", ["CentOS 7 (64-bit)", "Microsoft Windows Server 2019 (64-bit)", "Other 3.x Linux (64-bit)"])
def test_a_convertible_or_unidentified_os_name_passes(name):
    assert outcomes(rule, make_vm(guest_id=None, guest_full_name=name)) == []
