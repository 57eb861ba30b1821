from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_11_nvme as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


def test_readiness_warns_for_nvme_disk():
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(controller_kind="nvme", controller_model="nvme")]))
    assert finding.severity is Severity.WARNING and finding.evidence == {"disks.controller_kind=nvme": ["Hard disk 1"]}


def test_readiness_passes_scsi_disk():
    assert outcomes(rule, make_vm()) == []
