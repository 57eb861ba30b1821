import pytest

from migrate.inventory.model import Controller
from migrate.readiness.rule import Severity
from migrate.readiness.rules import drv_02_host_only_initramfs as rule
from tests.readiness.factories import make_context, make_disk, make_mappings, make_vm, outcomes, with_override


def _on(model, kind="scsi", **overrides):
    return make_vm(disks=[make_disk(controller_kind=kind, controller_model=model)], controllers=[Controller(1000, kind, model, 0)], **overrides)


UNCONVERTED = with_override(make_mappings(), "app01", convert=False)


def _unconverted(vm):
    return outcomes(rule, vm, make_context(vm, mappings=UNCONVERTED))


@pytest.mark.parametrize("model", ["lsilogic", "lsilogic-sas"])
def test_readiness_warns_for_unconverted_rhel_on_lsi_whose_config_boots_from_virtio_scsi(model):
    (finding,) = _unconverted(_on(model))
    assert finding.severity is Severity.WARNING and "dracut -f --add-drivers" in finding.remedy
    assert finding.evidence["boot_controller"] == model


@pytest.mark.parametrize(("model", "kind"), [("pvscsi", "scsi"), ("ahci", "sata")])
def test_readiness_notes_unconverted_rhel_kept_on_the_controller_its_initramfs_has(model, kind):
    (finding,) = _unconverted(_on(model, kind, guest_id="sles15_64Guest"))
    assert finding.severity is Severity.INFO and "kept" in finding.message


@pytest.mark.parametrize(("model", "kind"), [("lsilogic", "scsi"), ("pvscsi", "scsi"), ("ahci", "sata")])
def test_readiness_notes_that_the_conversion_adds_the_virtio_modules_and_the_config_boots_virtio_at_once(model, kind):
    (finding,) = outcomes(rule, _on(model, kind))
    assert finding.severity is Severity.INFO and "conversion adds virtio_scsi" in finding.message
    assert "--no-convert" in finding.remedy


def test_readiness_passes_with_driver_proof_and_for_distributions_with_a_generic_initramfs():
    vm = _on("lsilogic")
    proven = with_override(make_mappings(), "app01", virtio_drivers=True)
    assert outcomes(rule, vm, make_context(vm, mappings=proven)) == []
    assert outcomes(rule, _on("lsilogic", guest_id="debian12_64Guest", guest_full_name="Debian GNU/Linux 12 (64-bit)")) == []
