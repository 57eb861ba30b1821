import pytest

from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_05_independent as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


@pytest.mark.parametrize("mode", ["independent_persistent", "independent_nonpersistent"])
def test_readiness_warns_for_independent_disk(mode):
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(disk_mode=mode)]))
    assert finding.severity is Severity.WARNING and finding.evidence == {"disks[Hard disk 1].disk_mode": mode}


def test_readiness_passes_dependent_disk():
    assert outcomes(rule, make_vm()) == []
