"""One VM's properties, as the PropertyCollector returns them, turned into the inventory model's Vm."""

from __future__ import annotations

from typing import Any

from migrate.discovery.vcenter.devices import read_hardware
from migrate.discovery.vcenter.estate import EstateIndex
from migrate.clients.vsphere.soap import ObjectContent, PropertySpec, as_list
from migrate.clients.vsphere.values import boolean, dig, integer, text
from migrate.inventory.model import Disk, GuestPartition, IpAddress, Nic, Snapshot, Vm

VM_SPEC = PropertySpec("VirtualMachine", (
    "name", "parent", "resourcePool", "runtime.host", "runtime.powerState", "runtime.connectionState",
    "runtime.consolidationNeeded", "runtime.faultToleranceState",
    "config.uuid", "config.instanceUuid", "config.template", "config.guestId", "config.guestFullName",
    "config.firmware", "config.version", "config.hardware.numCPU", "config.hardware.numCoresPerSocket",
    "config.hardware.memoryMB", "config.hardware.device", "config.cpuHotAddEnabled", "config.memoryHotAddEnabled",
    "config.memoryAllocation", "config.memoryReservationLockedToMax", "config.latencySensitivity",
    "config.cpuAffinity", "config.annotation", "config.changeTrackingEnabled", "config.bootOptions", "config.keyId",
    "guest.guestId", "guest.guestFullName", "guest.guestFamily", "guest.toolsStatus", "guest.toolsVersion",
    "guest.toolsRunningStatus", "guest.hostName", "guest.ipAddress", "guest.net",
    "guest.disk", "customValue", "snapshot", "summary.storage.committed", "summary.storage.uncommitted",
    "layoutEx.disk", "layoutEx.file",
))


def read_vm(obj: ObjectContent, index: EstateIndex, field_names: dict[str, str]) -> Vm:
    p = obj.props
    host = text(p.get("runtime.host"))
    hardware = read_hardware(p.get("config.hardware.device"), index)
    parent = text(p.get("parent"))
    vm = Vm(
        name=text(p.get("name")) or "",
        moref=obj.moref,
        instance_uuid=text(p.get("config.instanceUuid")),
        bios_uuid=text(p.get("config.uuid")),
        folder=index.folder_path(parent),
        datacenter=index.datacenter_of(parent) or index.datacenter_of(host),
        cluster=index.host_cluster.get(host) if host else None,
        host=index.host_names.get(host) if host else None,
        resource_pool=index.name(text(p.get("resourcePool"))),
        template=boolean(p.get("config.template")),
        power_state=text(p.get("runtime.powerState")),
        connection_state=text(p.get("runtime.connectionState")),
        guest_id=text(p.get("config.guestId")),
        guest_id_detected=text(p.get("guest.guestId")),
        guest_full_name=text(p.get("guest.guestFullName")) or text(p.get("config.guestFullName")),
        guest_family=text(p.get("guest.guestFamily")),
        tools_status=text(p.get("guest.toolsStatus")),
        tools_version=text(p.get("guest.toolsVersion")),
        tools_running=text(p.get("guest.toolsRunningStatus")),
        hostname=text(p.get("guest.hostName")),
        primary_ip=text(p.get("guest.ipAddress")),
        firmware=text(p.get("config.firmware")),
        secure_boot=boolean(dig(p.get("config.bootOptions"), "efiSecureBootEnabled")),
        vtpm=any(d.kind == "tpm" for d in hardware.devices),
        encryption_key_id=text(dig(p.get("config.keyId"), "keyId")),
        hw_version=text(p.get("config.version")),
        num_cpu=integer(p.get("config.hardware.numCPU")),
        cores_per_socket=integer(p.get("config.hardware.numCoresPerSocket")),
        cpu_hot_add=boolean(p.get("config.cpuHotAddEnabled")),
        memory_hot_add=boolean(p.get("config.memoryHotAddEnabled")),
        memory_mb=integer(p.get("config.hardware.memoryMB")),
        memory_reservation_mb=integer(dig(p.get("config.memoryAllocation"), "reservation")),
        memory_reservation_locked=boolean(p.get("config.memoryReservationLockedToMax")),
        latency_sensitivity=text(dig(p.get("config.latencySensitivity"), "level")),
        cpu_affinity=_affinity(p.get("config.cpuAffinity")),
        annotation=text(p.get("config.annotation")),
        custom_attributes=_custom_attributes(p.get("customValue"), field_names),
        cbt_enabled=boolean(p.get("config.changeTrackingEnabled")),
        ft_state=text(p.get("runtime.faultToleranceState")),
        consolidation_needed=boolean(p.get("runtime.consolidationNeeded")),
        used_bytes=integer(p.get("summary.storage.committed")),
        uncommitted_bytes=integer(p.get("summary.storage.uncommitted")),
        snapshots=_snapshots(p.get("snapshot")),
        partitions=_partitions(p.get("guest.disk")),
        disks=hardware.disks,
        controllers=hardware.controllers,
        nics=hardware.nics,
        devices=[d for d in hardware.devices if d.kind != "tpm"],
    )
    _attach_guest_ips(vm.nics, p.get("guest.net"))
    _attach_committed_bytes(vm.disks, p.get("layoutEx.disk"), p.get("layoutEx.file"))
    return vm


def _affinity(value: Any) -> list[int] | None:
    cpus = [integer(c) for c in as_list(dig(value, "affinitySet"))]
    return [c for c in cpus if c is not None] or None


def _custom_attributes(values: Any, field_names: dict[str, str]) -> dict[str, str]:
    attributes = {}
    for item in as_list(values):
        key = text(item.get("key")) if isinstance(item, dict) else None
        if key is not None:
            attributes[field_names.get(key, key)] = text(item.get("value")) or ""
    return attributes


def _snapshots(info: Any) -> list[Snapshot]:
    """The snapshot tree, flattened depth-first; each snapshot names its parent."""
    result: list[Snapshot] = []

    def walk(trees: Any, parent: str | None) -> None:
        for tree in as_list(trees):
            name = text(tree.get("name")) or ""
            result.append(Snapshot(
                name=name,
                created=text(tree.get("createTime")),
                description=text(tree.get("description")),
                parent=parent,
                quiesced=boolean(tree.get("quiesced")),
                power_state=text(tree.get("state")),
            ))
            walk(tree.get("childSnapshotList"), name)

    walk(dig(info, "rootSnapshotList"), None)
    return result


def _attach_guest_ips(nics: list[Nic], guest_nics: Any) -> None:
    """VMware Tools reports addresses per guest NIC; they are matched to the virtual NIC by device key."""
    by_key = {nic.key: nic for nic in nics}
    for guest_nic in as_list(guest_nics):
        nic = by_key.get(integer(guest_nic.get("deviceConfigId")))
        if nic is None:
            continue
        configured = as_list(dig(guest_nic, "ipConfig", "ipAddress"))
        if configured:
            nic.ip_addresses = [
                IpAddress(address=text(ip.get("ipAddress")) or "", prefix_length=integer(ip.get("prefixLength")),
                          origin=text(ip.get("origin")))
                for ip in configured
            ]
        else:
            nic.ip_addresses = [IpAddress(address=a) for a in as_list(guest_nic.get("ipAddress")) if text(a)]


def _partitions(guest_disks: Any) -> list[GuestPartition]:
    """Filesystems as VMware Tools reports them; `mappings` (vSphere 7+) names the virtual disk."""
    partitions = []
    for item in as_list(guest_disks):
        mapping = as_list(item.get("mappings"))
        partitions.append(GuestPartition(
            path=text(item.get("diskPath")) or "",
            capacity_bytes=integer(item.get("capacity")),
            free_bytes=integer(item.get("freeSpace")),
            disk_key=integer(mapping[0].get("key")) if mapping and isinstance(mapping[0], dict) else None,
        ))
    return partitions


def _attach_committed_bytes(disks: list[Disk], layout_disks: Any, layout_files: Any) -> None:
    """A disk's used space: the sizes of the files of its whole chain (snapshot deltas included)."""
    sizes = {integer(f.get("key")): integer(f.get("size")) for f in as_list(layout_files) if isinstance(f, dict)}
    by_key = {disk.key: disk for disk in disks}
    for layout in as_list(layout_disks):
        disk = by_key.get(integer(layout.get("key")))
        if disk is None:
            continue
        keys = [integer(k) for chain in as_list(layout.get("chain")) for k in as_list(chain.get("fileKey"))]
        known = [sizes.get(k) for k in keys if sizes.get(k) is not None]
        disk.committed_bytes = sum(known) if known else None
