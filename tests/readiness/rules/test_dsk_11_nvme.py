from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_11_nvme as rule
from tests.readiness.factories import make_context, make_disk, make_mappings, make_vm, outcomes, with_override

NVME = dict(controller_kind="nvme", controller_model="nvme")


def test_readiness_warns_for_nvme_disk_that_moves_to_virtio_scsi():
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(**NVME)]))
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"disks.controller_kind=nvme": ["Hard disk 1"], "scsihw": "virtio-scsi-single"}
    assert "Hard disk 1 on SCSI" in finding.message


def test_a_windows_nvme_boot_disk_that_the_config_puts_on_sata_asks_for_no_virtio_driver():
    vm = make_vm(guest_id="windows11_64Guest", guest_full_name="Microsoft Windows 11 (64-bit)", disks=[make_disk(**NVME)])
    (finding,) = outcomes(rule, vm)
    assert finding.severity is Severity.INFO and "Hard disk 1 on SATA" in finding.message
    assert finding.remedy.startswith("Nothing before the move")


def test_a_windows_guest_with_driver_proof_gets_the_warning_again():
    vm = make_vm(guest_id="windows11_64Guest", disks=[make_disk(**NVME)])
    ctx = make_context(vm, mappings=with_override(make_mappings(), vm.name, virtio_drivers=True))
    (finding,) = outcomes(rule, vm, ctx)
    assert finding.severity is Severity.WARNING


def test_readiness_passes_scsi_disk():
    assert outcomes(rule, make_vm()) == []
