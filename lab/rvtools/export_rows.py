"""The rows an inventory becomes in each tab of an RVTools export: the reader's mapping, reversed.

Each function yields one dict per row, keyed by RVTools' column captions; columns the model
cannot fill are left out and written empty, as RVTools leaves them when vCenter does not say.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from migrate.inventory.model import Device, Disk, Inventory, Snapshot, Vm
from migrate.discovery.rvtools.values import MIB

Row = dict[str, Any]
_CAPTIONS = {"pvscsi": "VMware paravirtual SCSI", "lsilogic-sas": "LSI Logic SAS", "lsilogic": "LSI Logic",
             "buslogic": "BusLogic", "ahci": "AHCI"}
_LABELS = {"scsi": "SCSI controller", "sata": "SATA controller", "ide": "IDE", "nvme": "NVME controller"}
_ADAPTERS = {"vmxnet3": "Vmxnet3", "vmxnet2": "Vmxnet2", "vmxnet": "Vmxnet", "e1000": "E1000",
             "e1000e": "E1000e", "pcnet32": "PCNet32", "sriov": "SRIOV"}


def flag(value: bool | None) -> str | None:
    """RVTools writes booleans as the strings True and False."""
    return None if value is None else str(bool(value))


def mib(size: int | None) -> int | float | None:
    if size is None:
        return None
    value = size / MIB
    return int(value) if value.is_integer() else value


def vm_common(vm: Vm, inventory: Inventory) -> Row:
    """The columns every VM tab repeats: identity, placement, OS and custom attributes."""
    return {
        "VM": vm.name, "Powerstate": vm.power_state, "Template": flag(vm.template), "SRM Placeholder": "False",
        "Annotation": vm.annotation, **vm.custom_attributes, "Datacenter": vm.datacenter, "Cluster": vm.cluster,
        "Host": vm.host, "Folder": vm.folder, "OS according to the configuration file": vm.guest_full_name,
        "OS according to the VMware Tools": vm.guest_full_name_detected,
        "OS according to the VMware tools": vm.guest_full_name_detected,  # vUSB's spelling
        "VM ID": vm.moref, "VM UUID": vm.instance_uuid, "VI SDK Server": inventory.source,
    }


def vinfo(vm: Vm, inventory: Inventory) -> Row:
    networks = {f"Network #{n}": nic.network for n, nic in enumerate(vm.nics[:8], start=1)}
    known = vm.used_bytes is not None and vm.uncommitted_bytes is not None
    provisioned = vm.used_bytes + vm.uncommitted_bytes if known else None
    return {
        **vm_common(vm, inventory), "DNS Name": vm.hostname, "Connection state": vm.connection_state,
        "Consolidation Needed": flag(vm.consolidation_needed), "CPUs": vm.num_cpu, "Memory": vm.memory_mb,
        "NICs": len(vm.nics), "Disks": len(vm.disks), "Total disk capacity MiB": mib(vm.provisioned_bytes),
        "Latency Sensitivity": vm.latency_sensitivity, "CBT": flag(vm.cbt_enabled), "Primary IP Address": vm.primary_ip,
        **networks, "Resource pool": vm.resource_pool, "FT State": vm.ft_state,
        "Provisioned MiB": mib(provisioned), "In Use MiB": mib(vm.used_bytes),
        "EFI Secure boot": flag(vm.secure_boot), "Firmware": vm.firmware, "HW version": _hw_number(vm.hw_version),
        "SMBIOS UUID": vm.bios_uuid, "VI SDK API Version": inventory.api_version,
    }


def _hw_number(hw_version: str | None) -> int | str | None:
    """vmx-21 -> 21, as 4.x writes it."""
    if hw_version and hw_version.startswith("vmx-") and hw_version[4:].isdigit():
        return int(hw_version[4:])
    return hw_version


def vcpu(vm: Vm, inventory: Inventory) -> Row:
    sockets = vm.num_cpu // vm.cores_per_socket if vm.num_cpu and vm.cores_per_socket else None
    return {**vm_common(vm, inventory), "CPUs": vm.num_cpu, "Sockets": sockets, "Cores p/s": vm.cores_per_socket,
            "Hot Add": flag(vm.cpu_hot_add)}


def vmemory(vm: Vm, inventory: Inventory) -> Row:
    return {**vm_common(vm, inventory), "Size MiB": vm.memory_mb, "Reservation": vm.memory_reservation_mb,
            "Memory Reservation Locked To Max": flag(vm.memory_reservation_locked), "Hot Add": flag(vm.memory_hot_add)}


def vdisk(vm: Vm, inventory: Inventory) -> Iterator[Row]:
    for disk in vm.disks:
        yield {**vm_common(vm, inventory), "Disk": disk.label, "Disk Key": disk.key, "Disk UUID": disk.uuid,
               "Capacity MiB": mib(disk.capacity_bytes), "Raw": flag(disk.backing == "rdm"),
               "Disk Mode": disk.disk_mode, "Sharing mode": disk.sharing, "Thin": flag(disk.thin),
               "Eagerly Scrub": flag(disk.eager_zero), "Controller": _caption(disk), "Label": _label(disk),
               "Unit #": disk.unit_number, "Shared Bus": _bus_sharing(vm, disk), "Path": _disk_path(disk),
               "Raw Comp. Mode": disk.rdm_mode}


def _disk_path(disk: Disk) -> str | None:
    """The vmdk's path; `[ds]` alone when only the datastore is known, so the disk's datastore is not lost."""
    if disk.file_path or not disk.datastore:
        return disk.file_path
    return f"[{disk.datastore}]"


def _caption(disk: Disk) -> str | None:
    if disk.controller_model == "nvme":
        return f"NVME controller {disk.bus_number or 0}"
    return _CAPTIONS.get(disk.controller_model or "", disk.controller_model)


def _label(disk: Disk) -> str | None:
    if disk.controller_kind not in _LABELS:
        return None
    return f"{_LABELS[disk.controller_kind]} {'' if disk.bus_number is None else disk.bus_number}".strip()


def _bus_sharing(vm: Vm, disk: Disk) -> str | None:
    for controller in vm.controllers:
        if controller.kind == disk.controller_kind and controller.bus_number == disk.bus_number:
            return controller.bus_sharing
    return None


def vpartition(vm: Vm, inventory: Inventory) -> Iterator[Row]:
    for part in vm.partitions:
        known = part.capacity_bytes is not None and part.free_bytes is not None
        consumed = part.capacity_bytes - part.free_bytes if known else None
        yield {**vm_common(vm, inventory), "Disk Key": part.disk_key, "Disk": part.path,
               "Capacity MiB": mib(part.capacity_bytes), "Consumed MiB": mib(consumed),
               "Free MiB": mib(part.free_bytes)}


def vnetwork(vm: Vm, inventory: Inventory) -> Iterator[Row]:
    for nic in vm.nics:
        v4 = [ip.address for ip in nic.ip_addresses if ":" not in ip.address]
        v6 = [ip.address for ip in nic.ip_addresses if ":" in ip.address]
        yield {**vm_common(vm, inventory), "NIC label": nic.label,
               "Adapter": _ADAPTERS.get(nic.adapter_type or "", nic.adapter_type), "Network": nic.network,
               "Switch": nic.switch, "Connected": flag(nic.connected), "Starts Connected": flag(nic.start_connected),
               "Mac Address": nic.mac, "Type": nic.address_type,
               "IPv4 Address": ", ".join(v4) or None, "IPv6 Address": ", ".join(v6) or None}


def vcd(vm: Vm, inventory: Inventory) -> Iterator[Row]:
    for device in vm.devices:
        if device.kind == "cdrom":
            yield {**vm_common(vm, inventory), "Device Node": device.label, "Device Type": _cd_type(device),
                   "Connected": flag(device.connected), "Starts Connected": flag(device.start_connected)}


def _cd_type(device: Device) -> str | None:
    """vCD `Device Type` as RVTools writes it: `ISO [ds] path.iso` for a mounted ISO (the model keeps the path)."""
    if device.backing == "iso" and device.summary:
        return f"ISO {device.summary}"
    return device.summary


def vusb(vm: Vm, inventory: Inventory) -> Iterator[Row]:
    for device in vm.devices:
        if device.kind == "usb":
            yield {**vm_common(vm, inventory), "Device Node": device.label, "Device Type": device.summary,
                   "Connected": flag(device.connected)}


def vsnapshot(vm: Vm, inventory: Inventory) -> Iterator[Row]:
    for snapshot in vm.snapshots:
        yield {**vm_common(vm, inventory), "Name": _escape(snapshot.name), "Description": snapshot.description,
               "Date / time": _moment(snapshot), "Quiesced": flag(snapshot.quiesced), "State": snapshot.power_state}


def _escape(name: str) -> str:
    """vSphere's escaping, which RVTools keeps in snapshot names."""
    return name.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def _moment(snapshot: Snapshot) -> datetime | None:
    return datetime.fromisoformat(snapshot.created) if snapshot.created else None


def vtools(vm: Vm, inventory: Inventory) -> Row:
    return {**vm_common(vm, inventory), "VM Version": vm.hw_version, "Tools": vm.tools_status,
            "Tools Version": vm.tools_version}
