"""Changing a vcsim VM the way an operator would in vSphere: its virtual disks, its snapshots (through pyvmomi).

vcsim checks that a disk's file exists when a disk is added without a file operation: it looks for
`<name>-flat.vmdk`, which `fileOperation="create"` makes (empty) beside `<name>.vmdk`.
"""

from __future__ import annotations

from pyVim.task import WaitForTask
from pyVmomi import vim


def _disks(vm: vim.VirtualMachine) -> list[vim.vm.device.VirtualDisk]:
    return [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]


def _reconfigure(vm: vim.VirtualMachine, changes: list[vim.vm.device.VirtualDeviceSpec]) -> None:
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=changes)))


def _new_disk(controller: int, unit: int, file: str, size: int, key: int) -> vim.vm.device.VirtualDisk:
    backing = vim.vm.device.VirtualDisk.FlatVer2BackingInfo(fileName=file, diskMode="persistent")
    return vim.vm.device.VirtualDisk(key=key, controllerKey=controller, unitNumber=unit, capacityInBytes=size,
                                     capacityInKB=size // 1024, backing=backing)


def disk_layout(vm: vim.VirtualMachine) -> list[tuple[str, int]]:
    """(file, capacity in bytes) of every virtual disk."""
    return [(d.backing.fileName, d.capacityInBytes or d.capacityInKB * 1024) for d in _disks(vm)]


def set_disks(vm: vim.VirtualMachine, disks: list[tuple[str, int]], create: bool) -> None:
    """Replace the VM's virtual disks by `disks` (file, size) on its first disk's controller, units 0...

    `create` makes the files (empty) in the datastore; otherwise they must exist already.
    """
    current = _disks(vm)
    controller = current[0].controllerKey
    changes = [vim.vm.device.VirtualDeviceSpec(operation="remove", device=d) for d in current]
    for unit, (file, size) in enumerate(disks):
        changes.append(vim.vm.device.VirtualDeviceSpec(
            operation="add", fileOperation="create" if create else None,
            device=_new_disk(controller, unit, file, size, key=-1 - unit)))
    _reconfigure(vm, changes)


def resize_disk(vm: vim.VirtualMachine, file: str, size: int) -> None:
    disk = next(d for d in _disks(vm) if d.backing.fileName == file)
    disk.capacityInBytes, disk.capacityInKB = size, size // 1024
    _reconfigure(vm, [vim.vm.device.VirtualDeviceSpec(operation="edit", device=disk)])


def add_disk(vm: vim.VirtualMachine, file: str, size: int) -> None:
    """A new disk (and its files) on the first disk's controller, at the next free unit."""
    current = _disks(vm)
    unit = max(d.unitNumber for d in current) + 1
    _reconfigure(vm, [vim.vm.device.VirtualDeviceSpec(
        operation="add", fileOperation="create", device=_new_disk(current[0].controllerKey, unit, file, size, -1))])


def remove_disk(vm: vim.VirtualMachine, file: str) -> None:
    """Detach the disk and delete its files."""
    disk = next(d for d in _disks(vm) if d.backing.fileName == file)
    _reconfigure(vm, [vim.vm.device.VirtualDeviceSpec(operation="remove", fileOperation="destroy", device=disk)])


def take_snapshot(vm: vim.VirtualMachine, name: str) -> None:
    WaitForTask(vm.CreateSnapshot_Task(name=name, description="", memory=False, quiesce=False))


def snapshot_names(vm: vim.VirtualMachine) -> list[str]:
    """Read through the PropertyCollector: vcsim drops the connection when pyvmomi's accessor reads an unset
    `snapshot` after the last one was removed."""
    spec = vim.PropertyCollector.FilterSpec(
        objectSet=[vim.PropertyCollector.ObjectSpec(obj=vm)],
        propSet=[vim.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["snapshot"])])
    collector = vim.ServiceInstance("ServiceInstance", vm._stub).RetrieveContent().propertyCollector
    found = collector.RetrieveContents([spec])
    values = {p.name: p.val for p in (found[0].propSet if found else [])}
    names: list[str] = []

    def walk(trees) -> None:
        for tree in trees or []:
            names.append(tree.name)
            walk(tree.childSnapshotList)

    walk(values["snapshot"].rootSnapshotList if values.get("snapshot") else [])
    return names


def remove_snapshots(vm: vim.VirtualMachine) -> None:
    if snapshot_names(vm):
        WaitForTask(vm.RemoveAllSnapshots_Task())
