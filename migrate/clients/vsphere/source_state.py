"""The source VM as it is now, for `migrate run`'s preflight: power state, snapshots, consolidation, disks.

Planning works from what discovery saw; the run reads these again because they change after planning
(a snapshot taken, a disk added or grown). Plain data leaves this module, no pyvmomi object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyVmomi import vim

from migrate.clients.vsphere.connection import VsphereConnection
from migrate.clients.vsphere.power import find_vm


_PROPERTIES = ("name", "runtime.powerState", "runtime.consolidationNeeded", "snapshot", "config.hardware.device")


@dataclass(frozen=True)
class SourceDisk:
    label: str
    file: str | None  # "[datastore] vm/vm.vmdk"; None for a disk without a file backing
    capacity_bytes: int


@dataclass(frozen=True)
class SourceState:
    name: str
    power_state: str
    snapshots: tuple[str, ...]  # every snapshot's name, depth first
    consolidation_needed: bool
    disks: tuple[SourceDisk, ...]


def source_state(conn: VsphereConnection, moref: str) -> SourceState:
    """Read the VM with this moref now; a SourceProtocolError naming it if it is gone."""
    vm = find_vm(conn, moref)
    # One PropertyCollector read: one round trip, and an unset `snapshot` reads as absent (vcsim drops the
    # connection when pyvmomi's accessor reads it after the last snapshot was removed).
    spec = vim.PropertyCollector.FilterSpec(
        objectSet=[vim.PropertyCollector.ObjectSpec(obj=vm)],
        propSet=[vim.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=list(_PROPERTIES))])
    found = conn.content.propertyCollector.RetrieveContents([spec])
    values = {p.name: p.val for p in (found[0].propSet if found else [])}
    snapshot = values.get("snapshot")
    devices = values.get("config.hardware.device") or []
    return SourceState(
        name=values.get("name") or moref,
        power_state=str(values.get("runtime.powerState")),
        snapshots=tuple(_snapshot_names(snapshot.rootSnapshotList if snapshot else [])),
        consolidation_needed=bool(values.get("runtime.consolidationNeeded")),
        disks=tuple(_disk(d) for d in devices if isinstance(d, vim.vm.device.VirtualDisk)),
    )


def _snapshot_names(trees: Any) -> list[str]:
    names: list[str] = []
    for tree in trees or []:
        names.append(tree.name)
        names += _snapshot_names(tree.childSnapshotList)
    return names


def _disk(device: vim.vm.device.VirtualDisk) -> SourceDisk:
    capacity = device.capacityInBytes or (device.capacityInKB or 0) * 1024
    label = device.deviceInfo.label if device.deviceInfo else str(device.key)
    return SourceDisk(label=label, file=getattr(device.backing, "fileName", None) or None, capacity_bytes=int(capacity))
