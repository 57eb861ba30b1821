import pytest

from migrate.inventory.model import Controller
from migrate.readiness.rule import Severity
from migrate.readiness.rules import fw_02_efi_lsi as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("model", ["lsilogic", "lsilogic-sas"])
def test_readiness_warns_for_efi_guest_on_lsi_controller(model):
    vm = make_vm(firmware="efi", controllers=[Controller(1000, "scsi", model, 0)])
    (finding,) = outcomes(rule, vm)
    assert finding.severity is Severity.WARNING and finding.evidence == {"controllers.model": [model]}


@pytest.mark.parametrize(("firmware", "model"), [("bios", "lsilogic"), ("efi", "pvscsi")])
def test_readiness_passes_bios_guest_or_non_lsi_controller(firmware, model):
    assert outcomes(rule, make_vm(firmware=firmware, controllers=[Controller(1000, "scsi", model, 0)])) == []
