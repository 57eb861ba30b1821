import pytest

from migrate.inventory.model import Controller
from migrate.readiness.rule import Severity
from migrate.readiness.rules import fw_02_efi_lsi as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


@pytest.mark.parametrize("model", ["lsilogic", "lsilogic-sas"])
def test_readiness_warns_for_efi_linux_on_lsi_whose_config_boots_from_virtio_scsi(model):
    vm = make_vm(firmware="efi", controllers=[Controller(1000, "scsi", model, 0)], disks=[make_disk(controller_model=model)])
    (finding,) = outcomes(rule, vm)
    assert finding.severity is Severity.WARNING and finding.evidence == {"controllers.model": [model], "boot_bus": "scsi"}


def test_readiness_asks_no_virtio_driver_for_efi_windows_whose_config_boots_from_sata():
    vm = make_vm(firmware="efi", guest_id="windows2019srv_64Guest", controllers=[Controller(1000, "scsi", "lsilogic-sas", 0)])
    (finding,) = outcomes(rule, vm)
    assert finding.severity is Severity.INFO and finding.evidence["boot_bus"] == "sata"
    assert "VirtIO SCSI driver" not in finding.remedy and "SATA" in finding.remedy


@pytest.mark.parametrize(("firmware", "model"), [("bios", "lsilogic"), ("efi", "pvscsi")])
def test_readiness_passes_bios_guest_or_non_lsi_controller(firmware, model):
    assert outcomes(rule, make_vm(firmware=firmware, controllers=[Controller(1000, "scsi", model, 0)])) == []
