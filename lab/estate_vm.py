"""Read the VMs of one cluster of the estate file: defaults, then profile, then the VM's own keys.

`count: N` turns one entry into N VMs; `{n}` in the name, hostname and NIC addresses becomes 1..N.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from lab.estate_fields import as_list, build, mapping, one_of
from lab.estate_spec import ControllerSpec, DeviceSpec, DiskSpec, NicSpec, SnapshotSpec, VmSpec
from migrate.errors import InputFileError

VM_KEYS = {
    "name", "count", "profile", "host", "folder", "pool", "datastore", "guest_id", "guest_name", "firmware",
    "secure_boot", "vtpm", "hw_version", "cpus", "cores_per_socket", "memory_gb", "cpu_hot_add", "memory_hot_add",
    "memory_reservation_gb", "reservation_locked", "latency", "cbt", "notes", "attributes", "power", "template",
    "hostname", "tools", "tools_version", "controllers", "disks", "nics", "devices", "snapshots", "nic_adapter",
}
# vSphere refuses longer names; "/" is escaped by vCenter and crashes the 0.24 simulator.
MAX_NAME_LENGTH = 80
POWER_STATES = {"on": "poweredOn", "off": "poweredOff", "suspended": "suspended"}
TOOLS_STATES = {"ok": "toolsOk", "old": "toolsOld", "notInstalled": "toolsNotInstalled",
                "notRunning": "toolsNotRunning"}
# SCSI unit 7 is the controller's own.
SCSI_RESERVED_UNIT = 7


def parse_vms(entries: list, placement: Any, where: str) -> list[VmSpec]:
    """The VMs that `entries` describe, spread over `placement.hosts` in turn unless they name a host."""
    vms = []
    for entry in entries:
        label = f"{where}: VM {entry['name']}" if isinstance(entry, dict) and "name" in entry else f"{where}: a VM"
        doc = mapping(entry, label, VM_KEYS, required={"name"})
        merged = _merge(doc, placement, f"{where}: VM {doc['name']}")
        count = merged.pop("count", None)
        for n in range(1, (count or 1) + 1):
            values = _numbered(merged, n) if count else merged
            label = f"{where}: VM {values['name']}"
            host = values.get("host") or placement.hosts[len(vms) % len(placement.hosts)]
            vms.append(_vm(values, host, placement, label))
    return vms


def _merge(doc: dict, placement: Any, where: str) -> dict:
    profile_name = doc.get("profile")
    if profile_name is not None and profile_name not in placement.profiles:
        raise InputFileError(f"{where}: profile {profile_name!r} is not defined under profiles")
    merged = {**placement.defaults, **placement.profiles.get(profile_name, {}), **doc}
    merged.pop("profile", None)
    count = merged.get("count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise InputFileError(f"{where}: count must be a whole number of at least 1")
    return merged


def _numbered(values: dict, n: int) -> dict:
    """A copy of `values` with {n} filled in where numbering makes sense."""
    numbered = dict(values)
    for key in ("name", "hostname"):
        if isinstance(values.get(key), str):
            numbered[key] = values[key].format(n=n)
    numbered["nics"] = [
        {**nic, "ip": [ip.format(n=n) for ip in _strings(nic.get("ip"))]} if isinstance(nic, dict) else nic
        for nic in values.get("nics") or []
    ]
    return numbered


def _vm(v: dict, host: str, placement: Any, where: str) -> VmSpec:
    name = _vm_name(v["name"], where)
    for key in ("guest_id", "guest_name"):
        if not v.get(key):
            raise InputFileError(f"{where}: missing key {key!r} (set it on the VM or its profile)")
    if host not in placement.hosts:
        raise InputFileError(f"{where}: host {host!r} is not in the cluster")
    pool = v.get("pool")
    if pool is not None and pool not in placement.pools:
        raise InputFileError(f"{where}: resource pool {pool!r} is not in the cluster's resource_pools")
    datastore = _datastore(v.get("datastore"), placement, where)
    controllers = _controllers(v.get("controllers") or [], where)
    vm = VmSpec(
        name=name, datacenter=placement.datacenter, cluster=placement.cluster, host=host,
        folder=str(v.get("folder") or "").strip("/"), resource_pool=pool, datastore=datastore,
        guest_id=v["guest_id"], guest_full_name=v["guest_name"],
        firmware=one_of(v.get("firmware", "bios"), ("bios", "efi"), f"{where}: firmware"),
        secure_boot=bool(v.get("secure_boot", False)), vtpm=bool(v.get("vtpm", False)),
        hw_version=str(v.get("hw_version", "vmx-13")), cpus=int(v.get("cpus", 2)),
        cores_per_socket=int(v.get("cores_per_socket", 1)), memory_mb=_mib(v.get("memory_gb", 4), where),
        cpu_hot_add=bool(v.get("cpu_hot_add", False)), memory_hot_add=bool(v.get("memory_hot_add", False)),
        memory_reservation_mb=_mib(v.get("memory_reservation_gb", 0), where),
        reservation_locked=bool(v.get("reservation_locked", False)),
        latency_sensitivity=one_of(v.get("latency", "normal"), ("normal", "high"), f"{where}: latency"),
        cbt=bool(v.get("cbt", False)), annotation=str(v.get("notes") or ""),
        attributes=_attributes(v.get("attributes") or {}, placement.attributes, where),
        power_state=POWER_STATES[one_of(_power(v.get("power", "on")), tuple(POWER_STATES), f"{where}: power")],
        template=bool(v.get("template", False)), hostname=v.get("hostname"),
        tools=TOOLS_STATES[one_of(v.get("tools", "ok"), tuple(TOOLS_STATES), f"{where}: tools")],
        tools_version=None if v.get("tools_version") is None else str(v["tools_version"]),
        controllers=controllers,
        disks=_disks(v.get("disks") or [], controllers, datastore, placement, where),
        nics=tuple(_nic(n, v.get("nic_adapter", "vmxnet3"), placement, where) for n in v.get("nics") or []),
        devices=tuple(_device(d, where) for d in as_list(v.get("devices") or [], f"{where}: devices")),
        snapshots=_snapshots(v.get("snapshots") or [], where),
    )
    _check_consistency(vm, where)
    return vm


def _vm_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InputFileError(f"{where}: a VM name must be non-empty text")
    if "/" in name:
        raise InputFileError(f"{where}: VM names cannot contain '/' (vCenter escapes it): rename the VM")
    if len(name) > MAX_NAME_LENGTH:
        raise InputFileError(f"{where}: the name is {len(name)} characters; vSphere allows {MAX_NAME_LENGTH}")
    return name


def _check_consistency(vm: VmSpec, where: str) -> None:
    if (vm.secure_boot or vm.vtpm) and vm.firmware != "efi":
        raise InputFileError(f"{where}: secure boot and vTPM need firmware: efi")
    if vm.template and vm.power_state != "poweredOff":
        raise InputFileError(f"{where}: a template must be powered off (power: off)")
    if vm.memory_reservation_mb > vm.memory_mb:
        raise InputFileError(f"{where}: the memory reservation is larger than the memory")
    if vm.cpus % vm.cores_per_socket:
        raise InputFileError(f"{where}: cpus ({vm.cpus}) must be a multiple of cores_per_socket")
    for disk in vm.disks:
        if disk.sharing == "sharingMultiWriter" and disk.provisioning != "eager":
            raise InputFileError(f"{where}: a multi-writer disk must be eager zeroed (provisioning: eager)")


def _mib(gib: Any, where: str) -> int:
    if not isinstance(gib, (int, float)) or gib < 0:
        raise InputFileError(f"{where}: memory sizes are numbers of GB, got {gib!r}")
    return int(gib * 1024)


def _datastore(name: Any, placement: Any, where: str) -> str:
    if name is None:
        return placement.default_datastore
    if name not in placement.datastores:
        raise InputFileError(f"{where}: datastore {name!r} is not in datacenter {placement.datacenter}")
    return name


def _attributes(raw: Any, known: tuple[str, ...], where: str) -> tuple[tuple[str, str], ...]:
    mapping(raw, f"{where}: attributes", set(known))
    return tuple((str(k), str(v)) for k, v in raw.items())


def _controllers(raw: list, where: str) -> tuple[ControllerSpec, ...]:
    controllers: list[ControllerSpec] = []
    models = {"scsi": ("pvscsi", "lsilogic", "lsilogic-sas", "buslogic"), "sata": ("ahci",), "nvme": ("nvme",)}
    for item in as_list(raw, f"{where}: controllers"):
        doc = mapping(item, f"{where}: a controller", {"kind", "model", "sharing"}, required={"kind", "model"})
        kind = one_of(doc["kind"], tuple(models), f"{where}: controller kind")
        model = one_of(doc["model"], models[kind], f"{where}: {kind} controller model")
        bus = sum(c.kind == kind for c in controllers)
        controllers.append(ControllerSpec(kind, model, bus, doc.get("sharing", "noSharing")))
    return tuple(controllers)


def _disks(raw: list, controllers: tuple[ControllerSpec, ...], datastore: str, placement: Any,
           where: str) -> tuple[DiskSpec, ...]:
    refs = {c.ref: c for c in controllers}
    used: dict[str, int] = {}
    disks = []
    for item in as_list(raw, f"{where}: disks"):
        doc = {"size_gb": item} if isinstance(item, int) else dict(
            mapping(item, f"{where}: a disk", {"size_gb", "controller", "provisioning", "mode", "sharing", "datastore"},
                    required={"size_gb"}))
        ref = doc.pop("controller", controllers[0].ref if controllers else None)
        if ref not in refs:
            raise InputFileError(f"{where}: disk controller {ref!r} is not one of the VM's controllers "
                                 f"({', '.join(refs) or 'none'})")
        unit = used.get(ref, 0)
        if refs[ref].kind == "scsi" and unit == SCSI_RESERVED_UNIT:
            unit += 1
        used[ref] = unit + 1
        disk = DiskSpec(controller=ref, unit=unit, datastore=_datastore(doc.pop("datastore", datastore), placement,
                                                                        where), **doc)
        one_of(disk.provisioning, ("thin", "thick", "eager"), f"{where}: disk provisioning")
        one_of(disk.mode, ("persistent", "independent_persistent", "independent_nonpersistent"), f"{where}: disk mode")
        one_of(disk.sharing, ("sharingNone", "sharingMultiWriter"), f"{where}: disk sharing")
        disks.append(disk)
    return tuple(disks)


def _nic(raw: Any, default_adapter: str, placement: Any, where: str) -> NicSpec:
    doc = {"network": raw} if isinstance(raw, str) else dict(
        mapping(raw, f"{where}: a NIC", {"network", "adapter", "ip", "connected"}, required={"network"}))
    if doc["network"] not in placement.networks:
        raise InputFileError(f"{where}: network {doc['network']!r} is not a portgroup of {placement.datacenter}")
    addresses = tuple(_strings(doc.get("ip")))
    for address in addresses:
        try:
            ipaddress.ip_interface(address)
        except ValueError:
            raise InputFileError(f"{where}: {address!r} is not an address with a prefix length, "
                                 f"like 10.1.2.3/24") from None
    adapter = one_of(doc.get("adapter", default_adapter), ("vmxnet3", "e1000", "e1000e"), f"{where}: NIC adapter")
    return NicSpec(doc["network"], adapter, addresses, bool(doc.get("connected", True)))


def _device(raw: Any, where: str) -> DeviceSpec:
    device = build(DeviceSpec, raw, f"{where}: device")
    one_of(device.kind, ("cdrom", "usb", "serial", "pci_passthrough"), f"{where}: device kind")
    if device.kind == "serial":
        one_of(device.backing, ("file", "network", "pipe"), f"{where}: serial port backing")
    if device.kind == "cdrom":
        one_of(device.backing, ("iso", "client_device"), f"{where}: CD-ROM backing")
    if device.kind in ("usb", "serial", "pci_passthrough") or device.backing == "iso":
        if not device.target:
            raise InputFileError(f"{where}: a {device.kind} device needs a target")
    return device


def _snapshots(raw: list, where: str) -> tuple[SnapshotSpec, ...]:
    snapshots: list[SnapshotSpec] = []
    for item in as_list(raw, f"{where}: snapshots"):
        previous = snapshots[-1].name if snapshots else None
        if isinstance(item, str):
            snapshots.append(SnapshotSpec(item, parent=previous))
            continue
        doc = mapping(item, f"{where}: a snapshot", {"name", "description", "parent"}, required={"name"})
        parent = doc.get("parent", previous)
        if parent is not None and parent not in {s.name for s in snapshots}:
            raise InputFileError(f"{where}: snapshot {doc['name']!r} has parent {parent!r}, which comes later or "
                                 f"does not exist")
        snapshots.append(SnapshotSpec(str(doc["name"]), str(doc.get("description", "")), parent))
    return tuple(snapshots)


def _power(value: Any) -> Any:
    # YAML 1.1 reads a bare on/off as a boolean.
    if isinstance(value, bool):
        return "on" if value else "off"
    return value


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
