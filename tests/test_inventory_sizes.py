"""The size model: per disk provisioned, used where known, bytes to move; estimates marked."""

from __future__ import annotations

import pytest

from migrate.inventory.model import Disk
from migrate.inventory.sizes import disk_size, facts_size, total, vm_size
from tests.factories import make_vm

GIB = 1024**3


def _disk(capacity: int | None, committed: int | None) -> Disk:
    return Disk(key=2000, label="Hard disk 1", capacity_bytes=capacity, committed_bytes=committed)


@pytest.mark.parametrize(("capacity", "committed", "to_move", "estimated"), [
    (40 * GIB, 10 * GIB, 10 * GIB, False),  # thin, used known
    (40 * GIB, None, 40 * GIB, True),  # used unknown (RVTools): provisioned, an estimate
    (1400 * GIB, 0, 1400 * GIB, True),  # 0 is no measurement: a disk's files hold at least its descriptor
    (20 * GIB, 20 * GIB + 512, 20 * GIB, False),  # thick: the chain's descriptor is not copied
    (None, None, 0, True),  # nothing known at all
])
def test_a_disk_moves_its_used_size_else_its_provisioned_size_as_an_estimate(capacity, committed, to_move, estimated):
    size = disk_size(_disk(capacity, committed))
    assert (size.to_move_bytes, size.estimated) == (to_move, estimated)
    assert size.provisioned_bytes == (capacity or 0)


def test_a_vm_is_estimated_when_any_disk_is_and_its_vm_level_used_figure_is_ignored():
    vm = make_vm("mixed", disks=[_disk(30 * GIB, 5 * GIB), _disk(50 * GIB, None)])
    vm.used_bytes = 2 * GIB  # vSphere's committed of all files (swap, logs): not what the copy reads
    size = vm_size(vm)
    assert (size.provisioned_bytes, size.to_move_bytes, size.estimated) == (80 * GIB, 55 * GIB, True)


def test_a_stored_document_gives_the_same_sizes_as_the_vm():
    vm = make_vm("doc", disks=[_disk(30 * GIB, 5 * GIB), _disk(50 * GIB, 0)])
    assert facts_size(vm.to_dict()) == vm_size(vm)


def test_totals_count_the_estimated_vms():
    known = vm_size(make_vm("a", disks=[_disk(40 * GIB, 10 * GIB)]))
    unknown = vm_size(make_vm("b", disks=[_disk(40 * GIB, None)]))
    assert total([known, unknown]) == (80 * GIB, 50 * GIB, 1)
