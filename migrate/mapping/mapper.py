"""Map one VMware VM to the Proxmox config the production architecture calls for. Pure: no I/O.

The rules (docs/mapping.md has the full list): VirtIO NICs and virtio-scsi-single disks with an
I/O thread each, the guest agent on, `cpu: host` only on uniform clusters, sockets and cores
kept, OVMF + q35 + efidisk0 for EFI, tpmstate0 for vTPM, MACs and SMBIOS UUID kept.
"""

from __future__ import annotations

import math
import re

from migrate.inventory.model import Disk, Nic, Vm
from migrate.mapping.config import ProxmoxConfig
from migrate.mapping.guest import (
    guest_ostype,
    is_latency_sensitive,
    is_windows,
    needs_emulated_devices,
    required_cpu_level,
)
from migrate.mapping.model import Mappings, TargetFacts
from migrate.mapping.names import proxmox_name

GIB = 1024**3
MAX_SCSI = 31
MAX_SATA = 6
MAX_NICS = 32
_MAC = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_BUS_RANK = {"scsi": 0, "sata": 1, "nvme": 2, "ide": 3}


def map_vm(
    vm: Vm, mappings: Mappings, target_facts: TargetFacts, *, name: str | None = None, virtio: bool | None = None
) -> ProxmoxConfig:
    """The Proxmox config of `vm`. `name` is the name `assign_names` chose (else derived from the VM alone).

    `virtio=None` decides by the guest: Windows without proof of the VirtIO drivers gets a SATA boot
    disk and e1000e NICs, and the VirtIO config for afterwards in `virtio_variant`. `virtio=True`
    forces the VirtIO layout.
    """
    emulated = needs_emulated_devices(vm, mappings) if virtio is None else not virtio
    notes: list[str] = []
    params: dict[str, str | int] = {"name": name or mappings.override(vm.name).name or proxmox_name(vm.name)}
    params.update(_os_and_firmware(vm, mappings, notes))
    params.update(_cpu_and_memory(vm, mappings, target_facts, notes))
    params.update(_disks(vm, mappings, emulated, notes))
    params.update(_nics(vm, mappings, emulated, notes))
    params.update(_identity(vm, mappings))
    if emulated:
        notes.append(
            "Windows without proof of VirtIO drivers: boot disk on SATA and e1000e NICs; attach virtio-win.iso to ide2, "
            "install the drivers, then apply the VirtIO config (set `virtio_drivers: true` for this VM in the mapping file)"
        )
    variant = map_vm(vm, mappings, target_facts, name=str(params["name"]), virtio=True) if emulated and virtio is None else None
    return ProxmoxConfig(vm.name, str(params["name"]), params, tuple(notes), variant)


def _os_and_firmware(vm: Vm, mappings: Mappings, notes: list[str]) -> dict[str, str | int]:
    ostype = guest_ostype(vm, mappings)
    if ostype is None:
        notes.append(f"guest OS {vm.guest_id or vm.guest_full_name or 'unknown'!s} is not in the guest OS table: ostype other")
    params: dict[str, str | int] = {"ostype": ostype or "other"}
    if vm.firmware == "efi":
        params.update(bios="ovmf", machine="q35")
    elif vm.firmware is None:
        notes.append("firmware unknown: SeaBIOS assumed; check whether the VM boots with EFI")
    return params


def _cpu_and_memory(vm: Vm, mappings: Mappings, facts: TargetFacts, notes: list[str]) -> dict[str, str | int]:
    vcpus = vm.num_cpu or 1
    per_socket = vm.cores_per_socket if vm.cores_per_socket and vcpus % vm.cores_per_socket == 0 else vcpus
    sockets = vcpus // per_socket
    params: dict[str, str | int] = {"cpu": _cpu_type(vm, mappings, facts), "sockets": sockets, "cores": per_socket}
    if sockets > 1:
        params["numa"] = 1
    if not vm.memory_mb:
        notes.append("memory size unknown: 1024 MiB assumed")
    params["memory"] = vm.memory_mb or 1024
    ballooning = mappings.override(vm.name).ballooning
    if ballooning is False or (ballooning is None and is_latency_sensitive(vm)):
        params["balloon"] = 0
    return params


def _cpu_type(vm: Vm, mappings: Mappings, facts: TargetFacts) -> str:
    override = mappings.override(vm.name).cpu
    if override:
        return override
    if facts.uniform_cpu:
        return "host"
    return required_cpu_level(vm) or mappings.hardware.cpu_fallback


def _disks(vm: Vm, mappings: Mappings, emulated: bool, notes: list[str]) -> dict[str, str | int]:
    hardware = mappings.hardware
    params: dict[str, str | int] = {"scsihw": hardware.scsihw}
    ordered = sorted(vm.disks, key=_disk_order)
    counters = {"scsi": 0, "sata": 0}
    boot_slot = None
    for index, disk in enumerate(ordered):
        bus = hardware.windows_fallback_bus if emulated and index == 0 else "scsi"
        limit = MAX_SATA if bus == "sata" else MAX_SCSI
        if counters[bus] >= limit:
            notes.append(f"disk {disk.label or index} left out: more than {limit} {bus} disks")
            continue
        slot = f"{bus}{counters[bus]}"
        counters[bus] += 1
        params[slot] = _disk_spec(vm, disk, mappings, bus, notes)
        boot_slot = boot_slot or slot
    if emulated:
        params["ide2"] = "none,media=cdrom"
    if boot_slot:
        params["boot"] = f"order={boot_slot}"
    params.update(_efi_and_tpm(vm, mappings, ordered))
    return params


def ordered_disks(vm: Vm) -> list[Disk]:
    """The VM's disks in the order the mapper gives them slots (boot bus first, then bus and unit number)."""
    return sorted(vm.disks, key=_disk_order)


def _disk_order(disk: Disk) -> tuple[int, int, int]:
    return (_BUS_RANK.get(disk.controller_kind or "", 9), disk.bus_number or 0, disk.unit_number or 0)


def _disk_spec(vm: Vm, disk: Disk, mappings: Mappings, bus: str, notes: list[str]) -> str:
    target = mappings.storage_for(vm.name, disk.datastore)
    if target is None:
        notes.append(f"datastore {disk.datastore!r} is not mapped: {mappings.hardware.default_storage} used")
    storage = target.storage if target else mappings.hardware.default_storage
    size_gib = max(1, math.ceil((disk.capacity_bytes or 0) / GIB))
    spec = f"{storage}:{size_gib}"
    if target and target.format:
        spec += f",format={target.format}"
    if bus == "scsi" and mappings.hardware.iothread:
        spec += ",iothread=1"
    if mappings.hardware.discard:
        spec += ",discard=on"
    return spec


def _efi_and_tpm(vm: Vm, mappings: Mappings, disks: list[Disk]) -> dict[str, str]:
    boot = disks[0] if disks else None
    target = mappings.storage_for(vm.name, boot.datastore if boot else None)
    storage = target.storage if target else mappings.hardware.default_storage
    params: dict[str, str] = {}
    if vm.firmware == "efi":
        keys = 1 if vm.secure_boot else 0
        params["efidisk0"] = f"{storage}:1,efitype={mappings.hardware.efitype},pre-enrolled-keys={keys}"
    if vm.vtpm:
        params["tpmstate0"] = f"{storage}:1,version=v2.0"
    return params


def _nics(vm: Vm, mappings: Mappings, emulated: bool, notes: list[str]) -> dict[str, str]:
    model = mappings.hardware.windows_fallback_nic if emulated else mappings.hardware.nic_model
    params = {}
    for index, nic in enumerate(vm.nics[:MAX_NICS]):
        params[f"net{index}"] = _nic_spec(vm, nic, mappings, model, notes)
    if len(vm.nics) > MAX_NICS:
        notes.append(f"{len(vm.nics) - MAX_NICS} NICs left out: Proxmox has net0 to net31")
    return params


def _nic_spec(vm: Vm, nic: Nic, mappings: Mappings, model: str, notes: list[str]) -> str:
    mac = (nic.mac or "").upper()
    spec = f"{model}={mac}" if _is_unicast_mac(mac) else model
    if nic.mac and not _is_unicast_mac(mac):
        notes.append(f"MAC {nic.mac} of {nic.label or nic.network} is not a unicast MAC: Proxmox generates one")
    target = mappings.network_for(vm.name, nic.network)
    if target is None:
        notes.append(f"network {nic.network!r} is not mapped: {mappings.hardware.default_bridge} used")
    spec += f",bridge={target.bridge if target else mappings.hardware.default_bridge}"
    if target and target.vlan:
        spec += f",tag={target.vlan}"
    if target and target.trunks:
        spec += f",trunks={target.trunks}"
    if target and target.firewall:
        spec += ",firewall=1"
    if nic.start_connected is False:
        spec += ",link_down=1"
    return spec


def _is_unicast_mac(mac: str) -> bool:
    return bool(_MAC.match(mac)) and int(mac[:2], 16) % 2 == 0


def _identity(vm: Vm, mappings: Mappings) -> dict[str, str]:
    params = {"agent": "enabled=1"}
    if vm.bios_uuid and _UUID.match(vm.bios_uuid):
        params["smbios1"] = f"uuid={vm.bios_uuid.lower()}"
    params["description"] = _description(vm, mappings)
    params["tags"] = ";".join(mappings.hardware.tags)
    return params


def _description(vm: Vm, mappings: Mappings) -> str:
    where = "/".join(part for part in (vm.datacenter, vm.cluster) if part) or "unknown datacenter"
    lines = [
        f"Migrated from VMware by migrate: VM {vm.name!r} of {mappings.source or 'the source vCenter'}",
        f"Location: {where}, folder {vm.folder or 'unknown'}",
        f"moref {vm.moref or 'unknown'}, instance UUID {vm.instance_uuid or 'unknown'}, guest {vm.guest_id or vm.guest_full_name or 'unknown'}",
    ]
    return "\n".join(lines)


__all__ = ["map_vm", "is_windows", "ordered_disks"]
