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
from migrate.mapping.conversion import conversion_of, planned_devices, with_virtio_proof
from migrate.mapping.guest import (
    GuestDevices,
    guest_devices,
    guest_ostype_source,
    is_latency_sensitive,
    is_windows,
    needs_tpm,
    ordered_disks,
    required_cpu_level,
)
from migrate.mapping.model import Mappings, TargetFacts
from migrate.mapping.names import proxmox_name

GIB = 1024**3
MAX_DISKS_PER_BUS = {"scsi": 31, "sata": 6, "ide": 4}
MAX_NICS = 32
_MAC = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_NOTES = {
    "windows": "Windows without proof of VirtIO drivers: boot disk on SATA and e1000e NICs; attach virtio-win.iso to "
    "ide2, install the drivers, then apply the VirtIO config (set `virtio_drivers: true` for this VM in the mapping file)",
    "legacy": "legacy guest without AHCI, e1000e or VirtIO drivers and without a guest agent: IDE disks, {nic} NICs, "
    "agent off",
    "initramfs": "host-only initramfs (RHEL/SLES family installed on VMware) may lack virtio_scsi: boot disk kept on "
    "{bus} ({scsihw}), which it has a driver for; run `dracut -f --add-drivers \"virtio_scsi virtio_blk virtio_pci "
    "virtio_net\"`, then apply the VirtIO config (set `virtio_drivers: true` for this VM in the mapping file)",
}


def map_vm(
    vm: Vm, mappings: Mappings, target_facts: TargetFacts, *, name: str | None = None, virtio: bool | None = None
) -> ProxmoxConfig:
    """The Proxmox config of `vm`. `name` is the name `assign_names` chose (else derived from the VM alone).

    `virtio=None` decides by the guest and its conversion (`conversion.planned_devices`): a guest the
    conversion gives its VirtIO drivers is on VirtIO at once, with its safe config in `unconverted`; else
    Windows without proof of the VirtIO drivers gets a SATA boot disk and e1000e NICs, a legacy guest IDE
    and an old NIC, a host-only initramfs Linux its VMware boot controller, with the VirtIO config for
    afterwards in `virtio_variant`. `virtio=True` forces the VirtIO layout, `virtio=False` the guest's own.
    """
    if virtio is None:
        devices = planned_devices(vm, mappings, target_facts)
    else:
        devices = guest_devices(vm, with_virtio_proof(vm, mappings) if virtio else mappings)
    notes: list[str] = []
    params: dict[str, str | int] = {"name": name or mappings.override(vm.name).name or proxmox_name(vm.name)}
    params.update(_os_and_firmware(vm, mappings, notes))
    params.update(_cpu_and_memory(vm, mappings, target_facts, notes))
    params.update(_disks(vm, mappings, devices, notes))
    params.update(_nics(vm, mappings, devices.nic_model, notes))
    params.update(_identity(vm, mappings, devices))
    if needs_tpm(vm, mappings) and not vm.vtpm:
        notes.append("ostype win11 without a vTPM on VMware: an empty TPM 2.0 (tpmstate0) is added, as Windows 11 and Server 2025 require")
    if not devices.is_virtio:
        notes.append(_NOTES[devices.kind].format(nic=devices.nic_model, bus=devices.boot_bus, scsihw=devices.scsihw))
    variant = unconverted = None
    if devices.virtio_later and virtio is None:
        variant = map_vm(vm, mappings, target_facts, name=str(params["name"]), virtio=True)
    if virtio is None and devices != guest_devices(vm, mappings):
        notes.append("on VirtIO at once: the conversion installs the drivers before the first start; a run that "
                     "does not convert it starts it on its safe config")
        unconverted = map_vm(vm, mappings, target_facts, name=str(params["name"]), virtio=False)
    return ProxmoxConfig(vm.name, str(params["name"]), params, tuple(notes), variant,
                         conversion=conversion_of(vm, mappings, target_facts).to_dict(), unconverted=unconverted)


def _os_and_firmware(vm: Vm, mappings: Mappings, notes: list[str]) -> dict[str, str | int]:
    ostype, source = guest_ostype_source(vm, mappings)
    guest = vm.guest_id or vm.guest_full_name or "unknown"
    if ostype is None:
        notes.append(f"guest OS {guest} is not in the guest OS table: ostype other")
    elif source == "guest family":
        notes.append(f"guest OS {guest} is not in the guest OS table: ostype {ostype} from the guest family {vm.guest_family}")
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


def _disks(vm: Vm, mappings: Mappings, devices: GuestDevices, notes: list[str]) -> dict[str, str | int]:
    params: dict[str, str | int] = {"scsihw": devices.scsihw}
    ordered = ordered_disks(vm)
    counters = {"scsi": 0, "sata": 0, "ide": 0}
    boot_slot = None
    for index, disk in enumerate(ordered):
        bus = devices.boot_bus if index == 0 else devices.other_bus
        limit = MAX_DISKS_PER_BUS[bus]
        if counters[bus] >= limit:
            notes.append(f"disk {disk.label or index} left out: more than {limit} {bus} disks")
            continue
        slot = f"{bus}{counters[bus]}"
        counters[bus] += 1
        params[slot] = _disk_spec(vm, disk, mappings, bus == "scsi" and devices.scsihw == "virtio-scsi-single", notes)
        boot_slot = boot_slot or slot
    if devices.kind == "windows":
        params["ide2"] = "none,media=cdrom"
    if boot_slot:
        params["boot"] = f"order={boot_slot}"
    params.update(_efi_and_tpm(vm, mappings, ordered))
    return params


def _disk_spec(vm: Vm, disk: Disk, mappings: Mappings, iothread: bool, notes: list[str]) -> str:
    target = mappings.storage_for(vm.name, disk.datastore)
    if target is None:
        notes.append(f"datastore {disk.datastore!r} is not mapped: {mappings.hardware.default_storage} used")
    storage = target.storage if target else mappings.hardware.default_storage
    size_gib = max(1, math.ceil((disk.capacity_bytes or 0) / GIB))
    spec = f"{storage}:{size_gib}"
    if target and target.format:
        spec += f",format={target.format}"
    # An I/O thread needs a virtio-scsi-single controller of its own; pvscsi, SATA and IDE have none.
    if iothread and mappings.hardware.iothread:
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
    if needs_tpm(vm, mappings):
        params["tpmstate0"] = f"{storage}:1,version=v2.0"
    return params


def _nics(vm: Vm, mappings: Mappings, model: str, notes: list[str]) -> dict[str, str]:
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


def _identity(vm: Vm, mappings: Mappings, devices: GuestDevices) -> dict[str, str]:
    params = {"agent": "enabled=1" if devices.agent else "enabled=0"}
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
