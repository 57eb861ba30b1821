import pytest

from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import dsk_02_capacity as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


@pytest.mark.parametrize("capacity", [0, -1])
def test_readiness_blocks_disk_with_invalid_capacity(capacity):
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(capacity_bytes=capacity)]))
    assert finding.severity is Severity.BLOCKER and finding.evidence == {"disks[Hard disk 1].capacity_bytes": capacity}


def test_readiness_is_unknown_without_capacity():
    assert isinstance(outcomes(rule, make_vm(disks=[make_disk(capacity_bytes=None)]))[0], Unknown)


def test_readiness_passes_positive_capacity():
    assert outcomes(rule, make_vm()) == []
