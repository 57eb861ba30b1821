"""vDisk, vPartition, vCD and vUSB: a VM's disks, controllers, guest filesystems and removable devices."""

from __future__ import annotations

import re

from migrate.inventory.model import Controller, Device, Disk, GuestPartition, Vm
from migrate.discovery.rvtools.table import Row, Table
from migrate.discovery.rvtools.values import DISK_MIB
from migrate.discovery.rvtools.vms import VmIndex

# vDisk `Controller` captions as RVTools writes them, to the model's controller models.
CONTROLLER_MODELS = {
    "vmware paravirtual scsi": "pvscsi",
    "lsi logic sas": "lsilogic-sas",
    "lsi logic": "lsilogic",
    "buslogic": "buslogic",
    "ahci": "ahci",
}
_LABEL = re.compile(r"^(scsi|sata|ide|nvme)\b\D*(\d+)?", re.IGNORECASE)
_DATASTORE = re.compile(r"^\[([^\]]+)\]")


def apply_vdisk(table: Table, index: VmIndex) -> None:
    """Disks, and the controllers they hang on as far as vDisk names them."""
    for row, vm in index.rows(table):
        disk = _disk(row)
        vm.disks.append(disk)
        _remember_controller(vm, disk, row.text("Shared Bus"))


def _disk(row: Row) -> Disk:
    kind, bus = _controller_slot(row.text("Label"))
    caption = row.text("Controller")
    path = row.text("Path")
    raw = row.bool("Raw")
    return Disk(
        key=row.int("Disk Key"),
        label=row.text("Disk"),
        capacity_bytes=row.bytes_from_mib("Capacity MiB", within=DISK_MIB),
        controller_kind=kind or _kind_from_caption(caption),
        controller_model=controller_model(caption),
        bus_number=bus,
        unit_number=row.int("Unit #"),
        thin=row.bool("Thin"),
        eager_zero=row.bool("Eagerly Scrub"),
        datastore=_datastore(path),
        file_path=path if _file_part(path) else None,
        disk_mode=row.text("Disk Mode"),
        sharing=row.text("Sharing mode"),
        backing="rdm" if raw else None,  # a non-RDM disk may be flat or sparse: RVTools does not say
        rdm_mode=row.text("Raw Comp. Mode") if raw else None,
        uuid=row.text("Disk UUID"),
    )


def controller_model(caption: str | None) -> str | None:
    """The model of a vDisk `Controller` caption; an unrecognised caption is kept as written, not guessed."""
    if caption is None:
        return None
    lowered = caption.strip().lower()
    if lowered.startswith("nvme"):
        return "nvme"
    return CONTROLLER_MODELS.get(lowered, caption)


def _kind_from_caption(caption: str | None) -> str | None:
    model = controller_model(caption)
    if model in {"pvscsi", "lsilogic-sas", "lsilogic", "buslogic"}:
        return "scsi"
    return {"nvme": "nvme", "ahci": "sata"}.get(model or "")


def _controller_slot(label: str | None) -> tuple[str | None, int | None]:
    """`SCSI controller 1` -> ("scsi", 1); vDisk `Label` names the controller, not the disk."""
    match = _LABEL.match(label or "")
    if not match:
        return None, None
    return match.group(1).lower(), int(match.group(2)) if match.group(2) else None


def _datastore(path: str | None) -> str | None:
    match = _DATASTORE.match(path or "")
    return match.group(1) if match else None


def _file_part(path: str | None) -> str:
    """What follows `[datastore]`: empty when an export names only the datastore."""
    return _DATASTORE.sub("", path or "", count=1).strip()


def _remember_controller(vm: Vm, disk: Disk, shared_bus: str | None) -> None:
    if disk.controller_kind is None:
        return
    for controller in vm.controllers:
        if controller.kind == disk.controller_kind and controller.bus_number == disk.bus_number:
            return
    vm.controllers.append(
        Controller(key=None, kind=disk.controller_kind, model=disk.controller_model, bus_number=disk.bus_number,
                   bus_sharing=shared_bus if disk.controller_kind == "scsi" else None)
    )


def apply_vpartition(table: Table, index: VmIndex) -> None:
    """Guest filesystems with their size and free space, as VMware Tools reports them."""
    for row, vm in index.rows(table):
        path = row.text("Disk")
        if path is None:
            continue
        vm.partitions.append(GuestPartition(
            path=path,
            capacity_bytes=row.bytes_from_mib("Capacity MiB"),
            free_bytes=row.bytes_from_mib("Free MiB"),
            disk_key=row.int("Disk Key"),
        ))


def apply_vcd(table: Table, index: VmIndex) -> None:
    """CD/DVD drives; a mounted ISO or a host device must be detached before migrating."""
    for row, vm in index.rows(table):
        summary = row.text("Device Type")
        backing = _cd_backing(summary)
        vm.devices.append(Device(
            kind="cdrom",
            label=row.text("Device Node"),
            backing=backing,
            summary=_iso_path(summary) if backing == "iso" else summary,
            connected=row.bool("Connected"),
            start_connected=row.bool("Starts Connected"),
        ))


def _iso_path(summary: str) -> str:
    """`ISO [ds] iso/x.iso` -> `[ds] iso/x.iso`: the ISO's path, as API discovery records it."""
    return summary[3:].strip() if summary[:3].lower() == "iso" else summary


def _cd_backing(summary: str | None) -> str | None:
    lowered = (summary or "").lower()
    if lowered.startswith("iso"):
        return "iso"
    if lowered.startswith("remote"):
        return "client_device"
    if lowered.startswith("host") or lowered.startswith("atapi"):
        return "host_device"
    return None


def apply_vusb(table: Table, index: VmIndex) -> None:
    """USB devices passed through to a VM: they do not follow it to another hypervisor."""
    for row, vm in index.rows(table):
        vm.devices.append(Device(
            kind="usb",
            label=row.text("Device Node"),
            summary=row.text("Device Type"),
            connected=row.bool("Connected"),
        ))
