from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import dsk_01_no_datastore as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


def test_readiness_blocks_disk_not_on_a_datastore():
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(datastore=None, file_path="/vmfs/devices/disks/naa.6000")]))
    assert finding.severity is Severity.BLOCKER


def test_readiness_is_unknown_when_disk_location_is_not_known():
    assert isinstance(outcomes(rule, make_vm(disks=[make_disk(datastore=None, file_path=None)]))[0], Unknown)


def test_readiness_passes_disk_on_a_datastore():
    assert outcomes(rule, make_vm()) == []
