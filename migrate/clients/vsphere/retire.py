"""Retiring a migrated source VM in vCenter: its name and note read, renamed with a marker, noted, and (only when
the consultant confirmed it) unregistered from the inventory or deleted with its files.

The VM is found by its moref; a VM that is gone already counts as gone (a second retirement does nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from pyVmomi import vim, vmodl

from migrate.clients.vsphere.connection import VsphereConnection
from migrate.clients.vsphere.power import _wait, find_vm
from migrate.errors import SourceProtocolError


@dataclass(frozen=True)
class SourceVm:
    """A source VM as vCenter holds it now."""

    moref: str
    name: str
    annotation: str
    power_state: str


def source_vm(conn: VsphereConnection, moref: str) -> SourceVm | None:
    """The VM's name, note and power state; None if vCenter no longer has it (unregistered or deleted)."""
    try:
        vm = find_vm(conn, moref)
        return SourceVm(moref, str(vm.name), str(vm.config.annotation or "") if vm.config else "",
                        str(vm.runtime.powerState))
    except SourceProtocolError:
        return None


def rename_and_note(conn: VsphereConnection, moref: str, name: str, annotation: str) -> None:
    """Rename the VM and set its note (Rename_Task, then ReconfigVM_Task): the retirement's visible marks."""
    vm = find_vm(conn, moref)
    if vm.name != name:
        _wait(vm.Rename_Task(newName=name), f"renaming VM {vm.name}")
    _wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(annotation=annotation)), f"noting VM {name}")


def unregister(conn: VsphereConnection, moref: str) -> None:
    """Remove the VM from vCenter's inventory; its files stay on the datastore."""
    vm = find_vm(conn, moref)
    try:
        vm.UnregisterVM()
    except vmodl.MethodFault as exc:
        raise SourceProtocolError(f"unregistering VM {vm.name} failed: "
                                  f"{getattr(exc, 'msg', None) or type(exc).__name__}") from None


def delete(conn: VsphereConnection, moref: str) -> None:
    """Delete the VM and its files (Destroy_Task); it must be powered off."""
    vm = find_vm(conn, moref)
    _wait(vm.Destroy_Task(), f"deleting VM {vm.name}")
