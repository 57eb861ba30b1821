"""The warm layer in front of vcsim behaves like vSphere for a warm copy, seen through pyvmomi: change tracking
enabled through a snapshot cycle, change ids per snapshot, QueryChangedDiskAreas from the writes made to the
running disk, delta disks that keep the base VMDK frozen and are merged into it when the snapshot goes, and
vSphere's faults."""

from __future__ import annotations

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from tests.lab.warm_bed import bed, pki, raw_of, sim  # noqa: F401 - the fixtures
from tests.support.vmdk import MIB

KIB = 1024
BLOCK = 64 * KIB


def _snapshot(vm, name: str) -> vim.vm.Snapshot:
    return WaitForTask(vm.CreateSnapshot_Task(name=name, description="", memory=False, quiesce=False)) and \
        _current_snapshot(vm)


def _current_snapshot(vm) -> vim.vm.Snapshot:
    return vm.snapshot.currentSnapshot


def _change_id(snapshot: vim.vm.Snapshot, key: int) -> str | None:
    disk = next(d for d in snapshot.config.hardware.device if d.key == key)
    return disk.backing.changeId


def _enable_cbt(vm) -> None:
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=True)))


def _cbt_cycle(vm) -> None:
    """Enable change tracking and make it take effect, as a toolkit must on a running VM."""
    _enable_cbt(vm)
    WaitForTask(_snapshot(vm, "cbt-cycle").RemoveSnapshot_Task(removeChildren=False))


def _areas(vm, snapshot, key: int, change_id: str) -> list[tuple[int, int]]:
    """Every changed area, asking again from startOffset + length until the disk's end, as a client must."""
    capacity = next(d.capacityInBytes for d in vm.config.hardware.device if d.key == key)
    offset, areas = 0, []
    while offset < capacity:
        info = vm.QueryChangedDiskAreas(snapshot=snapshot, deviceKey=key, startOffset=offset, changeId=change_id)
        assert isinstance(info, vim.VirtualMachine.DiskChangeInfo) and info.startOffset == offset
        areas += [(e.start, e.length) for e in info.changedArea or []]
        offset = info.startOffset + info.length
    return areas


def test_change_tracking_takes_effect_after_a_snapshot_cycle(bed):
    warm, (D0, D1), vm, _, _ = bed
    _enable_cbt(vm)
    assert vm.config.changeTrackingEnabled is True
    first = _snapshot(vm, "stun")
    # The snapshot that stunned the VM predates tracking: no change id, and no changed areas to ask for.
    assert _change_id(first, D0) is None
    with pytest.raises(vim.fault.FileFault) as fault:
        vm.QueryChangedDiskAreas(snapshot=first, deviceKey=D0, startOffset=0, changeId="*")
    assert fault.value.file == f"[LocalDS_0] {vm.name}/{vm.name}_0.vmdk"
    WaitForTask(first.RemoveSnapshot_Task(removeChildren=False))
    second = _snapshot(vm, "pass-1")
    change_id = _change_id(second, D0)
    assert change_id is not None and change_id.endswith("/0")
    assert _change_id(second, D1).endswith("/0") and _change_id(second, D1) != change_id  # a file per disk


def test_a_query_names_the_areas_written_between_two_snapshots(bed):
    warm, (D0, D1), vm, _, _ = bed
    _cbt_cycle(vm)
    first = _snapshot(vm, "pass-1")
    first_ids = {key: _change_id(first, key) for key in (D0, D1)}  # kept, as a toolkit journals them
    warm.write_to_running_disk(vm._moId, D0, 1 * MIB + 100, b"a" * 10)  # inside one tracked block
    warm.write_to_running_disk(vm._moId, D0, 3 * MIB - 10, b"b" * 20)  # across two
    warm.write_to_running_disk(vm._moId, D1, 0, b"c" * 5000)
    second = _snapshot(vm, "pass-2")
    assert _areas(vm, second, D0, first_ids[D0]) == [(1 * MIB, BLOCK), (3 * MIB - BLOCK, 2 * BLOCK)]
    assert _areas(vm, second, D1, first_ids[D1]) == [(0, BLOCK)]
    # Nothing changed between a snapshot and itself.
    assert _areas(vm, first, D0, first_ids[D0]) == []
    warm.write_to_running_disk(vm._moId, D0, 5 * MIB, b"d" * (2 * BLOCK))
    second_id = _change_id(second, D0)
    WaitForTask(first.RemoveSnapshot_Task(removeChildren=False))
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        first.config  # noqa: B018 - a removed snapshot is gone, its change ids live on in the tracking file
    WaitForTask(second.RemoveSnapshot_Task(removeChildren=False))
    third = _snapshot(vm, "pass-3")
    # A removed snapshot's change id still counts: that is how each pass asks for what changed since the last.
    assert _areas(vm, third, D0, second_id) == [(5 * MIB, 2 * BLOCK)]
    assert _areas(vm, third, D0, first_ids[D0]) == [
        (1 * MIB, BLOCK), (3 * MIB - BLOCK, 2 * BLOCK), (5 * MIB, 2 * BLOCK)]
    assert _areas(vm, third, D1, first_ids[D1]) == [(0, BLOCK)]


def test_star_names_the_allocated_areas_of_the_disk_at_the_snapshot(bed):
    warm, (D0, D1), vm, _, _ = bed
    _cbt_cycle(vm)
    warm.write_to_running_disk(vm._moId, D0, 4 * MIB, b"e" * KIB)
    snapshot = _snapshot(vm, "pass-1")
    warm.write_to_running_disk(vm._moId, D0, 6 * MIB, b"f" * KIB)  # after the snapshot: not in its areas
    areas = _areas(vm, snapshot, D0, "*")
    covered = lambda offset: any(s <= offset < s + n for s, n in areas)  # noqa: E731
    # The seeded raw image holds data in its first and last MiB and near the middle (tests/support/vmdk.py).
    assert covered(0) and covered(8 * MIB - 1) and covered(4 * MIB) and not covered(6 * MIB)
    assert all(s % BLOCK == 0 and n % BLOCK == 0 for s, n in areas)


def test_answers_come_in_pages_that_a_client_follows(bed, sim, pki, tmp_path):
    warm, (D0, D1), vm, _, _ = bed
    warm.max_extents_per_answer = 2
    _cbt_cycle(vm)
    first = _snapshot(vm, "pass-1")
    for index in range(5):
        warm.write_to_running_disk(vm._moId, D0, index * MIB, b"g")
    second = _snapshot(vm, "pass-2")
    info = vm.QueryChangedDiskAreas(snapshot=second, deviceKey=D0, startOffset=0, changeId=_change_id(first, D0))
    assert [(e.start, e.length) for e in info.changedArea] == [(0, BLOCK), (MIB, BLOCK)]
    assert info.length == MIB + BLOCK  # what this answer covers, less than the disk
    assert _areas(vm, second, D0, _change_id(first, D0)) == [(i * MIB, BLOCK) for i in range(5)]


def test_the_base_stays_frozen_while_the_snapshot_exists_and_takes_the_writes_when_it_goes(bed):
    warm, (D0, D1), vm, bases, tmp = bed
    before = [raw_of(base, tmp / f"before-{unit}.img") for unit, base in enumerate(bases)]
    snapshot = _snapshot(vm, "pass-1")
    writes = [(D0, 123, b"h" * 70000), (D0, 8 * MIB - 512, b"i" * 512), (D1, 2 * MIB + 7, b"j" * 3)]
    for key, offset, data in writes:
        warm.write_to_running_disk(vm._moId, key, offset, data)
    assert [raw_of(base, tmp / f"during-{unit}.img") for unit, base in enumerate(bases)] == before
    WaitForTask(snapshot.RemoveSnapshot_Task(removeChildren=False))
    expected = [bytearray(image) for image in before]
    for key, offset, data in writes:
        expected[(D0, D1).index(key)][offset:offset + len(data)] = data
    assert [raw_of(base, tmp / f"after-{unit}.img") for unit, base in enumerate(bases)] == expected
    assert list((tmp / "deltas").iterdir()) == []


def test_removing_every_snapshot_merges_each_delta_in_order(bed):
    warm, (D0, D1), vm, bases, tmp = bed
    before = raw_of(bases[0], tmp / "before.img")
    _snapshot(vm, "one")
    warm.write_to_running_disk(vm._moId, D0, 0, b"k" * 100)
    _snapshot(vm, "two")
    warm.write_to_running_disk(vm._moId, D0, 50, b"l" * 100)  # over the first write: the newer one wins
    WaitForTask(vm.RemoveAllSnapshots_Task())
    expected = bytearray(before)
    expected[0:100], expected[50:150] = b"k" * 100, b"l" * 100
    assert raw_of(bases[0], tmp / "after.img") == expected


def test_an_unknown_or_stale_change_id_is_an_invalid_argument(bed):
    warm, (D0, D1), vm, _, _ = bed
    _cbt_cycle(vm)
    first = _snapshot(vm, "pass-1")
    old = _change_id(first, D0)
    for change_id in ("not-a-change-id", old[:-1] + "9", _change_id(first, D1)):
        with pytest.raises(vmodl.fault.InvalidArgument) as fault:
            vm.QueryChangedDiskAreas(snapshot=first, deviceKey=D0, startOffset=0, changeId=change_id)
        assert fault.value.invalidProperty == "changeId"
    # Turning tracking off and on again makes a new tracking file: the old change ids are no longer valid.
    WaitForTask(first.RemoveSnapshot_Task(removeChildren=False))
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=False)))
    _cbt_cycle(vm)
    again = _snapshot(vm, "pass-2")
    with pytest.raises(vmodl.fault.InvalidArgument):
        vm.QueryChangedDiskAreas(snapshot=again, deviceKey=D0, startOffset=0, changeId=old)


def test_without_change_tracking_a_query_is_a_file_fault(bed):
    warm, (D0, D1), vm, _, _ = bed
    snapshot = _snapshot(vm, "pass-1")
    assert vm.config.changeTrackingEnabled is False and _change_id(snapshot, D0) is None
    with pytest.raises(vim.fault.FileFault):
        vm.QueryChangedDiskAreas(snapshot=snapshot, deviceKey=D0, startOffset=0, changeId="*")


def test_other_bad_queries_get_vsphere_faults(bed):
    warm, (D0, D1), vm, _, _ = bed
    _cbt_cycle(vm)
    snapshot = _snapshot(vm, "pass-1")
    with pytest.raises(vim.fault.NotFound):
        vm.QueryChangedDiskAreas(snapshot=snapshot, deviceKey=D0 + D1 + 1000, startOffset=0, changeId="*")
    with pytest.raises(vmodl.fault.InvalidArgument) as fault:
        vm.QueryChangedDiskAreas(snapshot=snapshot, deviceKey=D0, startOffset=8 * MIB, changeId="*")
    assert fault.value.invalidProperty == "startOffset"
    # The running disk of a powered-on VM is open: a query needs a snapshot.
    with pytest.raises(vim.fault.FileFault):
        vm.QueryChangedDiskAreas(deviceKey=D0, startOffset=0, changeId="*")


def test_without_a_snapshot_a_vm_that_is_off_is_asked_about_its_disk_as_it_is(bed):
    warm, (D0, D1), vm, _, _ = bed
    _cbt_cycle(vm)
    first = _snapshot(vm, "pass-1")
    first_id = _change_id(first, D0)
    WaitForTask(first.RemoveSnapshot_Task(removeChildren=False))
    warm.write_to_running_disk(vm._moId, D0, 2 * MIB, b"o" * 10)  # after the last snapshot, before the stop
    WaitForTask(vm.PowerOffVM_Task())
    info = vm.QueryChangedDiskAreas(deviceKey=D0, startOffset=0, changeId=first_id)
    assert [(e.start, e.length) for e in info.changedArea] == [(2 * MIB, BLOCK)]
    covered = [(e.start, e.length) for e in vm.QueryChangedDiskAreas(deviceKey=D0, startOffset=0, changeId="*")
               .changedArea]
    assert (2 * MIB, BLOCK) in covered and covered[0] == (0, MIB)


def test_a_snapshot_past_the_limit_is_refused_and_the_chain_is_unchanged(bed):
    warm, (D0, D1), vm, bases, tmp = bed
    for index in range(3):  # the bed's limit
        _snapshot(vm, f"s{index}")
    task = vm.CreateSnapshot_Task(name="s3", description="", memory=False, quiesce=False)
    # As on vSphere, the call gives a task and the task fails.
    with pytest.raises(vim.fault.TooManySnapshotLevels):
        WaitForTask(task)
    assert task.info.state == "error" and task.info.descriptionId == "VirtualMachine.createSnapshot"
    assert task.info.error.msg == "Exceeded the maximum number of permitted snapshots."
    assert [d.key for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)] == [D0, D1]
    assert len(warm.vm(vm._moId).snapshots) == 3 and len(list((tmp / "deltas").iterdir())) == 3 * 2


def test_a_powered_off_vm_does_not_write(bed):
    warm, (D0, D1), vm, bases, tmp = bed
    before = raw_of(bases[0], tmp / "before.img")
    WaitForTask(vm.PowerOffVM_Task())
    with pytest.raises(ValueError, match="powered off"):
        warm.write_to_running_disk(vm._moId, D0, 0, b"m" * 10)
    assert raw_of(bases[0], tmp / "after.img") == before


def test_a_consolidation_refused_by_a_reader_leaves_the_vm_needing_one_and_resets_change_tracking(bed, sim, pki):
    """A copy holds the base VMDK open (as qemu-img on a node does, with QEMU's image lock) while the guest goes
    on writing into the delta; removing the snapshot then cannot merge it: the task fails with FileLocked, the
    snapshot is gone, the VM runs on its delta and needs a consolidation, and change tracking starts afresh.
    Consolidating once the reader let go merges the delta into the base."""
    import subprocess

    from migrate.clients.vsphere.source_state import source_state
    from tests.lab.warm_bed import connect_through
    from tests.support.vcsim_vms import snapshot_names

    warm, (D0, D1), vm, bases, tmp = bed
    _cbt_cycle(vm)
    before = raw_of(bases[0], tmp / "before.img")
    snapshot = _snapshot(vm, "pass-1")
    old_id = _change_id(snapshot, D0)
    reader = subprocess.Popen(["qemu-io", "-r", "-f", "vmdk", str(bases[0])], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        reader.stdin.write(b"read 0 64k\n")
        reader.stdin.flush()
        reader.stdout.readline()  # the read is done: the image is open, and locked
        warm.write_to_running_disk(vm._moId, D0, 4096, b"n" * 4096)
        with pytest.raises(vim.fault.FileLocked) as fault:
            WaitForTask(snapshot.RemoveSnapshot_Task(removeChildren=False))
        assert fault.value.file == f"[LocalDS_0] {vm.name}/{vm.name}_0.vmdk"
    finally:
        reader.communicate(b"quit\n", timeout=30)
    assert snapshot_names(vm) == [] and vm.runtime.consolidationNeeded is True
    with connect_through(warm.host, warm.port, sim.username, sim.password, pki[0]) as conn:
        assert source_state(conn, vm._moId).consolidation_needed is True  # what `migrate run`'s preflight reads
    disk = next(d for d in vm.config.hardware.device if d.key == D0)
    assert _files(disk.backing)[0].endswith("_0-000001.vmdk")  # the VM still runs on its delta
    assert raw_of(bases[0], tmp / "during.img") == before
    WaitForTask(vm.ConsolidateVMDisks_Task())
    assert not vm.runtime.consolidationNeeded
    expected = bytearray(before)
    expected[4096:8192] = b"n" * 4096
    assert raw_of(bases[0], tmp / "after.img") == expected
    fresh = _snapshot(vm, "pass-2")
    with pytest.raises(vmodl.fault.InvalidArgument):  # the change ids before the failure are no longer valid
        vm.QueryChangedDiskAreas(snapshot=fresh, deviceKey=D0, startOffset=0, changeId=old_id)


def _files(backing) -> list[str]:
    """The disk's file, then its parent's, down to the base."""
    files = []
    while backing is not None:
        files.append(backing.fileName)
        backing = backing.parent
    return files


def test_while_snapshots_exist_the_vm_runs_on_deltas_over_the_images_they_froze(bed):
    warm, (D0, D1), vm, _, _ = bed
    base = f"[LocalDS_0] {vm.name}/{vm.name}_0.vmdk"
    delta1, delta2 = (f"[LocalDS_0] {vm.name}/{vm.name}_0-00000{n}.vmdk" for n in (1, 2))

    def disk(obj):
        return next(d for d in obj.config.hardware.device if d.key == D0)

    first = _snapshot(vm, "one")
    second = _snapshot(vm, "two")
    assert _files(disk(vm).backing) == [delta2, delta1, base]
    assert _files(disk(second).backing) == [delta1, base] and _files(disk(first).backing) == [base]
    WaitForTask(first.RemoveSnapshot_Task(removeChildren=False))  # the first delta merged into the base
    assert _files(disk(vm).backing) == [delta2, base] and _files(disk(second).backing) == [base]
    WaitForTask(second.RemoveSnapshot_Task(removeChildren=False))
    assert _files(disk(vm).backing) == [base]


def test_a_new_delta_takes_the_lowest_free_number(bed):
    warm, (D0, D1), vm, _, _ = bed
    first = _snapshot(vm, "one")
    WaitForTask(first.RemoveSnapshot_Task(removeChildren=False))
    _snapshot(vm, "two")
    disk = next(d for d in vm.config.hardware.device if d.key == D0)
    assert _files(disk.backing) == [f"[LocalDS_0] {vm.name}/{vm.name}_0-000001.vmdk",
                                    f"[LocalDS_0] {vm.name}/{vm.name}_0.vmdk"]


def test_many_writes_at_once_land_in_order_and_are_tracked(bed):
    warm, (D0, D1), vm, bases, tmp = bed
    _cbt_cycle(vm)
    first = _snapshot(vm, "pass-1")
    first_id = _change_id(first, D0)
    writes = [(i * MIB, bytes([65 + i]) * 1000) for i in range(8)] + [(500, b"v" * 10)]  # the last over the first
    warm.write_many_to_running_disk(vm._moId, D0, writes)
    second = _snapshot(vm, "pass-2")
    assert _areas(vm, second, D0, first_id) == [(i * MIB, BLOCK) for i in range(8)]
    WaitForTask(vm.RemoveAllSnapshots_Task())
    disk = raw_of(bases[0], tmp / "after.img")
    assert [disk[i * MIB:i * MIB + 1000] for i in range(1, 8)] == [bytes([65 + i]) * 1000 for i in range(1, 8)]
    assert disk[:1000] == b"A" * 500 + b"v" * 10 + b"A" * 490


def test_a_disk_on_a_datastore_the_layer_was_not_given_is_passed_through(bed, sim, pki, tmp_path):
    """The layer models the disks it has files for; a VM's other disks are vcsim's as they are."""
    from tests.lab.warm_bed import connect_through, start_warm, vm_of

    with start_warm(sim, *pki, tmp_path / "deltas") as other:
        other.datastores = {"ElsewhereDS": tmp_path}
        with connect_through(other.host, other.port, sim.username, sim.password, pki[0]) as conn:
            vm = vm_of(conn.si)
            WaitForTask(vm.CreateSnapshot_Task(name="one", description="", memory=False, quiesce=False))
            assert other.vm(vm._moId).disks == {}
            with pytest.raises(ValueError, match="no disk"):
                other.write_to_running_disk(vm._moId, bed[1][0], 0, b"w")
            WaitForTask(vm.RemoveAllSnapshots_Task())
            assert list((tmp_path / "deltas").glob("*.qcow2")) == []
