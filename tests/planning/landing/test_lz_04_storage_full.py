from migrate.inventory.model import Disk
from migrate.planning.landing import lz_04_storage_full as rule
from tests.factories import make_vm
from tests.planning.helpers import GIB, candidate
from tests.planning.landing.helpers import plan, snapshot, zone


def _big_disk(gib):
    return Disk(key=1, label="d", capacity_bytes=gib * GIB, committed_bytes=gib * GIB, datastore="ds1",
                controller_kind="scsi")


def test_storage_above_eighty_percent_after_placement_is_found():
    snap = snapshot(nodes=1, storage_gib=100)
    placed = plan(snap, [candidate(make_vm("big", disks=[_big_disk(90)]))], storage_limit=1.0)
    [finding] = rule.check(zone(snap, [placed]))
    assert finding.rule_id == "LZ-04" and "90% full, above 80%" in finding.message


def test_storage_below_its_limit_after_placement_passes():
    snap = snapshot(nodes=1, storage_gib=100)
    placed = plan(snap, [candidate(make_vm("small", disks=[_big_disk(10)]))])
    assert rule.check(zone(snap, [placed])) == []
