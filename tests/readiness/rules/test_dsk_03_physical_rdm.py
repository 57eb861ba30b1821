from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_03_physical_rdm as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


def test_readiness_blocks_physical_rdm():
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(backing="rdm", rdm_mode="physicalMode")]))
    assert finding.severity is Severity.BLOCKER


def test_readiness_leaves_virtual_rdm_to_dsk_04():
    assert outcomes(rule, make_vm(disks=[make_disk(backing="rdm", rdm_mode="virtualMode")])) == []
