"""The toolkit's client for a warm copy (migrate/clients/vsphere/changed_blocks.py) against the lab's warm vCenter:
change tracking enabled with its snapshot cycle, the toolkit's snapshots with their change ids, the changed
areas in pages, typed errors for a reset change id and a disk without tracking, and only the toolkit's own
snapshots found and removed."""

from __future__ import annotations

import pytest
from pyVim.task import WaitForTask

from migrate.clients.vsphere import changed_blocks as cb
from migrate.errors import ChangeIdInvalidError, ChangeTrackingOffError, SourceProtocolError
from tests.lab.warm_bed import bed, connect_through, pki, raw_of, sim  # noqa: F401 - the fixtures
from tests.support.vmdk import MIB

BLOCK = 64 * 1024


@pytest.fixture
def toolkit(bed, sim, pki):
    """The toolkit's own vCenter connection, through the layer."""
    warm = bed[0]
    with connect_through(warm.host, warm.port, sim.username, sim.password, pki[0]) as conn:
        yield conn


def test_enabling_change_tracking_leaves_no_snapshot_and_the_next_snapshot_has_change_ids(bed, toolkit):
    warm, (d0, d1), vm, _, _ = bed
    assert cb.change_tracking_enabled(toolkit, vm._moId) is False
    cb.enable_change_tracking(toolkit, vm._moId)
    assert cb.change_tracking_enabled(toolkit, vm._moId) is True
    assert cb.toolkit_snapshots(toolkit, vm._moId) == []
    snapshot = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 1", quiesce=False)
    assert set(snapshot.change_ids) == {d0, d1} and all(snapshot.change_ids.values())
    assert cb.toolkit_snapshots(toolkit, vm._moId) == [(snapshot.moref, f"{cb.SNAPSHOT_PREFIX} pass 1")]


def test_a_pass_lists_what_changed_since_the_previous_one_in_pages(bed, toolkit):
    warm, (d0, d1), vm, _, _ = bed
    warm.max_extents_per_answer = 1
    cb.enable_change_tracking(toolkit, vm._moId)
    first = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 1", quiesce=False)
    everything = cb.changed_areas(toolkit, vm._moId, first.moref, d0, 8 * MIB)
    # The seeded data (tests/support/vmdk.py: the first MiB, 300 KiB at 4 MiB + 12345, the last MiB), one per page.
    assert everything == [(0, MIB), (4 * MIB, 5 * BLOCK), (7 * MIB, MIB)]
    warm.write_to_running_disk(vm._moId, d0, 2 * MIB, b"x" * 100)
    warm.write_to_running_disk(vm._moId, d0, 6 * MIB, b"y" * 100)
    second = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 2", quiesce=False)
    assert cb.remove_snapshot(toolkit, first.moref) is True
    assert cb.changed_areas(toolkit, vm._moId, second.moref, d0, 8 * MIB, first.change_ids[d0]) == [
        (2 * MIB, BLOCK), (6 * MIB, BLOCK)]
    assert cb.changed_areas(toolkit, vm._moId, second.moref, d1, 6 * MIB, first.change_ids[d1]) == []


def test_removing_a_snapshot_twice_says_it_was_gone_and_merges_once(bed, toolkit):
    warm, (d0, d1), vm, bases, tmp = bed
    snapshot = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 1", quiesce=False)
    warm.write_to_running_disk(vm._moId, d0, 0, b"z" * 10)
    assert cb.remove_snapshot(toolkit, snapshot.moref) is True
    assert cb.remove_snapshot(toolkit, snapshot.moref) is False
    assert raw_of(bases[0], tmp / "after.img")[:10] == b"z" * 10


def test_only_the_toolkits_snapshots_are_its_own(bed, toolkit):
    warm, (d0, d1), vm, _, _ = bed
    WaitForTask(vm.CreateSnapshot_Task(name="before the upgrade", description="", memory=False, quiesce=False))
    ours = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 1", quiesce=False)
    assert cb.toolkit_snapshots(toolkit, vm._moId) == [(ours.moref, f"{cb.SNAPSHOT_PREFIX} pass 1")]
    with pytest.raises(ValueError, match=cb.SNAPSHOT_PREFIX):
        cb.create_snapshot(toolkit, vm._moId, "before the upgrade", quiesce=False)


def test_a_reset_change_id_and_a_disk_without_tracking_are_typed_errors(bed, toolkit):
    warm, (d0, d1), vm, _, _ = bed
    untracked = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 1", quiesce=False)
    assert untracked.change_ids == {d0: None, d1: None}
    with pytest.raises(ChangeTrackingOffError, match="--enable-cbt"):
        cb.changed_areas(toolkit, vm._moId, untracked.moref, d0, 8 * MIB)
    cb.remove_snapshot(toolkit, untracked.moref)
    cb.enable_change_tracking(toolkit, vm._moId)
    first = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 1", quiesce=False)
    cb.remove_snapshot(toolkit, first.moref)
    from pyVmomi import vim

    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=False)))
    cb.enable_change_tracking(toolkit, vm._moId)
    second = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 2", quiesce=False)
    with pytest.raises(ChangeIdInvalidError, match="copied whole again"):
        cb.changed_areas(toolkit, vm._moId, second.moref, d0, 8 * MIB, first.change_ids[d0])
    assert issubclass(ChangeIdInvalidError, SourceProtocolError)


def test_the_first_copy_and_the_changed_areas_rebuild_the_disk_as_the_next_snapshot_froze_it(bed, toolkit):
    """The passes of a warm copy, done by the test with its own reads: what the lab shows adds up to ESXi's."""
    warm, (d0, d1), vm, bases, tmp = bed
    cb.enable_change_tracking(toolkit, vm._moId)
    first = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 1", quiesce=False)
    warm.write_to_running_disk(vm._moId, d0, 3 * MIB + 5, b"p" * 200_000)  # during pass 1's copy
    copy = bytearray(raw_of(bases[0], tmp / "pass1.img"))  # pass 1 reads the frozen base
    warm.write_to_running_disk(vm._moId, d0, 100, b"q" * 10)
    second = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 2", quiesce=False)
    base = f"[LocalDS_0] {vm.name}/{vm.name}_0.vmdk"
    assert first.files[d0] == base and second.files[d0] == f"[LocalDS_0] {vm.name}/{vm.name}_0-000001.vmdk"
    warm.write_to_running_disk(vm._moId, d0, 5 * MIB, b"r" * 10)  # after pass 2's snapshot: not in it
    cb.remove_snapshot(toolkit, first.moref)  # the base is now the disk as pass 2's snapshot froze it
    assert cb.frozen_files(toolkit, second.moref)[d0] == base
    frozen = raw_of(bases[0], tmp / "pass2.img")
    for start, length in cb.changed_areas(toolkit, vm._moId, second.moref, d0, 8 * MIB, first.change_ids[d0]):
        copy[start:start + length] = frozen[start:start + length]
    assert copy == frozen and frozen[100:110] == b"q" * 10 and frozen[5 * MIB:5 * MIB + 10] != b"r" * 10
    cb.remove_snapshot(toolkit, second.moref)
    assert raw_of(bases[0], tmp / "after.img")[5 * MIB:5 * MIB + 10] == b"r" * 10



@pytest.mark.parametrize("status, running", [("guestToolsRunning", True), ("guestToolsNotRunning", False)])
def test_a_snapshot_quiesces_only_a_guest_whose_tools_run(bed, toolkit, status, running):
    from pyVmomi import vim

    warm, _, vm, _, _ = bed
    # vcsim sets a VM's property from an extraConfig key SET.<property>.
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(extraConfig=[
        vim.option.OptionValue(key="SET.guest.toolsRunningStatus", value=status)])))
    assert cb.tools_running(toolkit, vm._moId) is running
    quiesced = cb.create_snapshot(toolkit, vm._moId, f"{cb.SNAPSHOT_PREFIX} pass 1", quiesce=running)
    assert cb.remove_snapshot(toolkit, quiesced.moref) is True
