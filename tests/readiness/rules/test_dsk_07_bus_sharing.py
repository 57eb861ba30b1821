import pytest

from migrate.inventory.model import Controller
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_07_bus_sharing as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("sharing", ["physicalSharing", "virtualSharing"])
def test_readiness_blocks_scsi_bus_sharing(sharing):
    (finding,) = outcomes(rule, make_vm(controllers=[Controller(1000, "scsi", "lsilogic-sas", 1, sharing)]))
    assert finding.severity is Severity.BLOCKER and finding.evidence == {"controllers[1].bus_sharing": sharing}


def test_readiness_passes_controller_without_sharing():
    assert outcomes(rule, make_vm()) == []
