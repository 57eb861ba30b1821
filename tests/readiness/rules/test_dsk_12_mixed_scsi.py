from migrate.inventory.model import Controller
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_12_mixed_scsi as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_warns_for_mixed_scsi_controller_types():
    controllers = [Controller(1000, "scsi", "pvscsi", 0), Controller(1001, "scsi", "lsilogic", 1)]
    (finding,) = outcomes(rule, make_vm(controllers=controllers))
    assert finding.severity is Severity.WARNING and finding.evidence == {"controllers.model": ["lsilogic", "pvscsi"]}


def test_readiness_passes_one_scsi_type_and_other_buses():
    controllers = [Controller(1000, "scsi", "pvscsi", 0), Controller(1001, "scsi", "pvscsi", 1), Controller(15000, "sata", "ahci", 0)]
    assert outcomes(rule, make_vm(controllers=controllers)) == []
