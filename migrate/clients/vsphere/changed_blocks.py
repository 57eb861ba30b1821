"""What a warm copy asks of vSphere: changed block tracking, the toolkit's snapshots and their change ids, and the
areas of a disk changed since a change id (`QueryChangedDiskAreas`).

Plain data leaves this module: snapshot ids, change ids per disk key, (start, length) extents.
Every snapshot the toolkit takes is named with `SNAPSHOT_PREFIX`, so that one left behind by a killed pass is
found (and removed) at the next contact, and no one else's is ever touched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from migrate.clients.vsphere.connection import VsphereConnection
from migrate.clients.vsphere.power import find_vm
from migrate.errors import ChangeIdInvalidError, ChangeTrackingOffError, SourceProtocolError

SNAPSHOT_PREFIX = "migrate-toolkit"
ALL_AREAS = "*"  # the change id that asks for every allocated area of the disk


@dataclass(frozen=True)
class Snapshot:
    moref: str
    name: str
    change_ids: dict[int, str | None]  # per disk key: the change id it recorded (None: no tracking then)
    files: dict[int, str]  # per disk key: the file it froze, "[datastore] vm/vm.vmdk" (a delta's, over older ones)


def change_tracking_enabled(conn: VsphereConnection, moref: str) -> bool:
    return bool(_properties(conn, find_vm(conn, moref), ["config.changeTrackingEnabled"])
                .get("config.changeTrackingEnabled"))


def tools_running(conn: VsphereConnection, moref: str) -> bool:
    """Whether VMware Tools run in the guest: only then can a snapshot quiesce its file systems."""
    return _properties(conn, find_vm(conn, moref), ["guest.toolsRunningStatus"]).get(
        "guest.toolsRunningStatus") == "guestToolsRunning"


def enable_change_tracking(conn: VsphereConnection, moref: str) -> None:
    """Turn tracking on, and make it take effect on a running VM with a snapshot cycle (create, remove)."""
    vm = find_vm(conn, moref)
    _wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=True)), f"enabling change tracking on {moref}")
    cycle = create_snapshot(conn, moref, f"{SNAPSHOT_PREFIX} enable change tracking", quiesce=False)
    remove_snapshot(conn, cycle.moref)


def create_snapshot(conn: VsphereConnection, moref: str, name: str, quiesce: bool) -> Snapshot:
    """A snapshot without memory (the disks frozen, the VM running on), with each disk's change id."""
    if not name.startswith(SNAPSHOT_PREFIX):
        raise ValueError(f"the toolkit's snapshots are named {SNAPSHOT_PREFIX}...: {name!r}")
    vm = find_vm(conn, moref)
    task = vm.CreateSnapshot_Task(name=name, description="taken by migrate sync; removed by it",
                                  memory=False, quiesce=quiesce)
    snapshot = _wait(task, f"taking snapshot {name!r} of {moref}")
    disks = _snapshot_disks(conn, snapshot._moId)
    return Snapshot(snapshot._moId, name, {d.key: d.backing.changeId or None for d in disks},
                    {d.key: d.backing.fileName for d in disks})


def frozen_files(conn: VsphereConnection, snapshot_moref: str) -> dict[int, str]:
    """Per disk key, the file the snapshot froze now: it becomes the base VMDK once the snapshots before it are
    removed (their deltas merged into the base)."""
    return {d.key: d.backing.fileName for d in _snapshot_disks(conn, snapshot_moref)}


def disk_files(conn: VsphereConnection, moref: str) -> dict[int, str]:
    """Per disk key, the file the VM's disk is now ("[datastore] vm/vm.vmdk": the base, when it has no snapshot)."""
    devices = _properties(conn, find_vm(conn, moref), ["config.hardware.device"]).get("config.hardware.device") or []
    return {d.key: d.backing.fileName for d in devices if isinstance(d, vim.vm.device.VirtualDisk)}


def _snapshot_disks(conn: VsphereConnection, snapshot_moref: str) -> list[vim.vm.device.VirtualDisk]:
    snapshot = vim.vm.Snapshot(snapshot_moref, conn.si._stub)
    devices = _properties(conn, snapshot, ["config.hardware.device"]).get("config.hardware.device") or []
    return [d for d in devices if isinstance(d, vim.vm.device.VirtualDisk)]


def toolkit_snapshots(conn: VsphereConnection, moref: str) -> list[tuple[str, str]]:
    """(id, name) of the VM's snapshots that the toolkit took, oldest first."""
    found: list[tuple[str, str]] = []

    def walk(trees: Any) -> None:
        for tree in trees or []:
            if tree.name.startswith(SNAPSHOT_PREFIX):
                found.append((tree.snapshot._moId, tree.name))
            walk(tree.childSnapshotList)

    info = _properties(conn, find_vm(conn, moref), ["snapshot"]).get("snapshot")
    walk(info.rootSnapshotList if info else [])
    return found


def remove_snapshot(conn: VsphereConnection, snapshot_moref: str) -> bool:
    """Remove one snapshot (its delta merged into the disk); False when it was gone already."""
    snapshot = vim.vm.Snapshot(snapshot_moref, conn.si._stub)
    try:
        task = snapshot.RemoveSnapshot_Task(removeChildren=False, consolidate=True)
    except vmodl.fault.ManagedObjectNotFound:
        return False
    _wait_state(conn, task, f"removing snapshot {snapshot_moref}")
    return True


def changed_areas(conn: VsphereConnection, vm_moref: str, snapshot_moref: str | None, disk_key: int, capacity: int,
                  change_id: str = ALL_AREAS) -> list[tuple[int, int]]:
    """(start, length) of every area of the disk changed after `change_id` up to the snapshot, asking again
    from where each answer ends until the disk's end. Without a snapshot (`None`), up to now: vSphere answers so
    for a VM that is powered off only, whose disk no longer changes."""
    vm = vim.VirtualMachine(vm_moref, conn.si._stub)
    snapshot = vim.vm.Snapshot(snapshot_moref, conn.si._stub) if snapshot_moref is not None else None
    offset, areas = 0, []
    while offset < capacity:
        try:
            info = vm.QueryChangedDiskAreas(snapshot=snapshot, deviceKey=disk_key, startOffset=offset,
                                            changeId=change_id)
        except vmodl.fault.InvalidArgument as fault:
            if fault.invalidProperty == "changeId":
                raise ChangeIdInvalidError(f"change id {change_id!r} of disk {disk_key} of VM {vm_moref} is no "
                                           "longer valid (change tracking was reset): the disk must be copied "
                                           "whole again") from None
            raise SourceProtocolError(f"vCenter refused to list the changed areas of disk {disk_key} of VM "
                                      f"{vm_moref}: {fault.invalidProperty}") from None
        except vim.fault.FileFault as fault:
            raise ChangeTrackingOffError(f"disk {disk_key} of VM {vm_moref} has no change tracking at snapshot "
                                         f"{snapshot_moref} ({fault.file}): enable it with --enable-cbt") from None
        areas += [(e.start, e.length) for e in info.changedArea or []]
        if info.length <= 0:
            raise SourceProtocolError(f"vCenter listed no progress for disk {disk_key} of VM {vm_moref} at "
                                      f"offset {offset}")
        offset = info.startOffset + info.length
    return areas


def _properties(conn: VsphereConnection, obj: Any, paths: list[str]) -> dict[str, Any]:
    """One PropertyCollector read (an unset property reads as absent rather than by pyvmomi's accessor, which
    vcsim answers by dropping the connection)."""
    spec = vim.PropertyCollector.FilterSpec(
        objectSet=[vim.PropertyCollector.ObjectSpec(obj=obj)],
        propSet=[vim.PropertyCollector.PropertySpec(type=type(obj), pathSet=paths)])
    found = conn.content.propertyCollector.RetrieveContents([spec])
    return {p.name: p.val for p in (found[0].propSet if found else [])}


def _wait_state(conn: VsphereConnection, task: vim.Task, what: str, poll: float = 0.2) -> None:
    """Wait for a task by its state alone: a snapshot removal's task names the snapshot as its entity on vcsim,
    which pyvmomi refuses to read as a whole task info (it wants a managed entity there)."""
    while True:
        info = _properties(conn, task, ["info.state", "info.error"])
        state = str(info.get("info.state"))
        if state == "success":
            return
        if state == "error":
            fault = info.get("info.error")
            raise SourceProtocolError(f"{what} failed: {getattr(fault, 'msg', None) or type(fault).__name__}")
        time.sleep(poll)


def _wait(task: vim.Task, what: str) -> Any:
    try:
        WaitForTask(task)
    except vmodl.MethodFault as fault:
        raise SourceProtocolError(f"{what} failed: {getattr(fault, 'msg', None) or type(fault).__name__}") from None
    return task.info.result
