"""The inventory model: plain dataclasses that every discovery path (vSphere API, RVTools) produces.

`None` always means "not known": an RVTools export that lacks a column leaves the fact `None`,
so readiness can say "unknown" instead of guessing. `docs/inventory.md` documents every field.
Sizes are bytes, memory is MiB, times are ISO-8601 UTC strings.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from migrate.inventory.facts import Origin


@dataclass
class IpAddress:
    address: str
    prefix_length: int | None = None
    origin: str | None = None  # "dhcp", "manual" (static), "linklayer", "random", "other"


@dataclass
class Nic:
    key: int | None
    label: str | None
    adapter_type: str | None  # vmxnet3, vmxnet2, vmxnet, e1000, e1000e, pcnet32, sriov
    mac: str | None
    address_type: str | None  # assigned, generated, manual
    network: str | None  # portgroup or distributed portgroup name
    network_kind: str | None = None  # standard, distributed, opaque
    portgroup_key: str | None = None
    switch_uuid: str | None = None
    connected: bool | None = None
    start_connected: bool | None = None
    vlan: int | None = None  # as found on the portgroup, where known
    ip_addresses: list[IpAddress] = field(default_factory=list)
    switch: str | None = None  # standard or distributed switch name, where known


@dataclass
class Controller:
    key: int | None
    kind: str  # scsi, ide, sata, nvme, usb
    model: str | None  # pvscsi, lsilogic, lsilogic-sas, buslogic, ahci, nvme, ide, usb2, usb3
    bus_number: int | None = None
    bus_sharing: str | None = None  # noSharing, virtualSharing, physicalSharing


@dataclass
class Disk:
    key: int | None
    label: str | None
    capacity_bytes: int | None
    controller_key: int | None = None
    controller_kind: str | None = None  # scsi, ide, sata, nvme
    controller_model: str | None = None
    bus_number: int | None = None
    unit_number: int | None = None
    committed_bytes: int | None = None
    thin: bool | None = None
    eager_zero: bool | None = None
    datastore: str | None = None
    file_path: str | None = None  # "[datastore] folder/name.vmdk"
    disk_mode: str | None = None  # persistent, independent_persistent, independent_nonpersistent, ...
    sharing: str | None = None  # sharingNone, sharingMultiWriter
    backing: str | None = None  # flat, sparse, sesparse, rdm, other
    rdm_mode: str | None = None  # physicalMode, virtualMode
    key_id: str | None = None  # encryption key id
    uuid: str | None = None


@dataclass
class Device:
    """Any other virtual device that matters to a migration (CD-ROM, USB, serial, passthrough, vGPU...)."""

    kind: str  # cdrom, floppy, usb, usb_controller, serial, parallel, pci_passthrough, vgpu, sound, ...
    label: str | None = None
    backing: str | None = None  # iso, host_device, client_device, file, pipe, network, passthrough, ...
    summary: str | None = None
    connected: bool | None = None
    start_connected: bool | None = None


@dataclass
class GuestPartition:
    """A filesystem as VMware Tools reports it from inside the guest (RVTools vPartition)."""

    path: str  # mount point or drive letter: "/", "C:\\"
    capacity_bytes: int | None = None
    free_bytes: int | None = None
    disk_key: int | None = None  # the virtual disk it lives on, where known


@dataclass
class Snapshot:
    name: str
    created: str | None = None
    description: str | None = None
    parent: str | None = None  # name of the parent snapshot
    quiesced: bool | None = None
    power_state: str | None = None


@dataclass
class Vm:
    name: str
    moref: str | None = None
    instance_uuid: str | None = None
    bios_uuid: str | None = None
    folder: str | None = None  # "/DC1/vm/web"
    datacenter: str | None = None
    cluster: str | None = None
    host: str | None = None
    resource_pool: str | None = None
    template: bool | None = None
    power_state: str | None = None  # poweredOn, poweredOff, suspended
    connection_state: str | None = None
    guest_id: str | None = None  # configured
    guest_id_detected: str | None = None  # reported by VMware Tools
    guest_full_name: str | None = None
    guest_full_name_detected: str | None = None  # reported by VMware Tools, as RVTools shows it
    guest_family: str | None = None
    tools_status: str | None = None
    tools_version: str | None = None
    tools_running: str | None = None
    hostname: str | None = None
    primary_ip: str | None = None
    firmware: str | None = None  # bios, efi
    secure_boot: bool | None = None
    vtpm: bool | None = None
    encryption_key_id: str | None = None
    hw_version: str | None = None  # vmx-19
    num_cpu: int | None = None
    cores_per_socket: int | None = None
    cpu_hot_add: bool | None = None
    memory_hot_add: bool | None = None
    memory_mb: int | None = None
    memory_reservation_mb: int | None = None
    memory_reservation_locked: bool | None = None
    latency_sensitivity: str | None = None  # low, normal, medium, high, custom
    cpu_affinity: list[int] | None = None
    annotation: str | None = None
    custom_attributes: dict[str, str] = field(default_factory=dict)
    cbt_enabled: bool | None = None
    ft_state: str | None = None  # notConfigured, running, ...
    consolidation_needed: bool | None = None
    used_bytes: int | None = None  # committed on datastores (all files)
    uncommitted_bytes: int | None = None
    snapshots: list[Snapshot] = field(default_factory=list)
    disks: list[Disk] = field(default_factory=list)
    controllers: list[Controller] = field(default_factory=list)
    nics: list[Nic] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    partitions: list[GuestPartition] = field(default_factory=list)

    @property
    def provisioned_bytes(self) -> int:
        """Sum of the disks' capacities; unknown capacities count as zero."""
        return sum(d.capacity_bytes or 0 for d in self.disks)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vm:
        nested = {
            "snapshots": Snapshot,
            "disks": Disk,
            "controllers": Controller,
            "devices": Device,
            "partitions": GuestPartition,
        }
        values = _known_fields(cls, data)
        for name, item_cls in nested.items():
            values[name] = [item_cls(**_known_fields(item_cls, item)) for item in data.get(name) or []]
        values["nics"] = [_nic_from_dict(item) for item in data.get("nics") or []]
        return cls(**values)


@dataclass
class PortgroupVlan:
    """A standard portgroup as one host sees it."""

    host: str
    vswitch: str | None
    vlan: int | None


@dataclass
class Network:
    name: str
    kind: str  # standard, distributed, opaque
    moref: str | None = None
    datacenter: str | None = None
    switch: str | None = None  # distributed switch name
    switch_uuid: str | None = None
    portgroup_key: str | None = None
    vlan: int | None = None  # single VLAN id (0 means untagged)
    vlan_mode: str | None = None  # none, vlan, trunk, pvlan
    trunk_ranges: list[tuple[int, int]] = field(default_factory=list)
    pvlan_id: int | None = None
    host_vlans: list[PortgroupVlan] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Network:
        values = _known_fields(cls, data)
        values["trunk_ranges"] = [tuple(r) for r in data.get("trunk_ranges") or []]
        values["host_vlans"] = [PortgroupVlan(**v) for v in data.get("host_vlans") or []]
        return cls(**values)


@dataclass
class Host:
    name: str
    moref: str | None = None
    datacenter: str | None = None
    cluster: str | None = None
    cpu_model: str | None = None
    cpu_sockets: int | None = None
    cpu_cores: int | None = None
    cpu_threads: int | None = None
    cpu_mhz: int | None = None
    memory_bytes: int | None = None
    esxi_version: str | None = None
    esxi_build: str | None = None
    maintenance: bool | None = None
    connection_state: str | None = None
    power_state: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Host:
        return cls(**_known_fields(cls, data))


@dataclass
class ClusterRule:
    name: str
    kind: str  # affinity, anti-affinity, vm-host, other
    enabled: bool | None = None
    mandatory: bool | None = None
    vms: list[str] = field(default_factory=list)  # VM names (a VM-host rule: its VM group's)
    hosts: list[str] = field(default_factory=list)  # a VM-host rule: its host group's host names
    host_affinity: str | None = None  # a VM-host rule: "affine" (run on those hosts) or "anti-affine" (not there)


@dataclass
class Cluster:
    name: str
    moref: str | None = None
    datacenter: str | None = None
    ha_enabled: bool | None = None
    ha_admission_control: bool | None = None
    drs_enabled: bool | None = None
    drs_behavior: str | None = None
    rules: list[ClusterRule] = field(default_factory=list)
    # vSphere HA's defaults for the cluster's VMs (dasConfig.defaultVmSettings), and the VMs that differ:
    # VM name -> {"restart_priority": ..., "isolation_response": ...} (only what the VM overrides).
    ha_restart_priority: str | None = None  # disabled, lowest, low, medium, high, highest
    ha_isolation_response: str | None = None  # none, powerOff, shutdown, clusterIsolationResponse
    ha_vm_overrides: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cluster:
        values = _known_fields(cls, data)
        values["rules"] = [ClusterRule(**r) for r in data.get("rules") or []]
        return cls(**values)


@dataclass
class Datastore:
    name: str
    moref: str | None = None
    datacenter: str | None = None
    type: str | None = None  # VMFS, NFS, NFS41, vsan, VVOL, other
    capacity_bytes: int | None = None
    free_bytes: int | None = None
    url: str | None = None
    accessible: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Datastore:
        return cls(**_known_fields(cls, data))


@dataclass
class Inventory:
    """Everything one discovery found in one source; `origin` says how (API or RVTools) and which facts it lacks
    (None: not recorded, judged as a vSphere API discovery)."""

    source: str  # the vCenter's host name, as the consultant named it
    api_version: str | None = None
    vms: list[Vm] = field(default_factory=list)
    hosts: list[Host] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    datastores: list[Datastore] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    origin: Origin | None = None

    def counts(self) -> dict[str, int]:
        return {
            "vms": len(self.vms),
            "hosts": len(self.hosts),
            "clusters": len(self.clusters),
            "datastores": len(self.datastores),
            "networks": len(self.networks),
        }


_LEAVES = (str, int, bool, float, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """`dataclasses.asdict` for the model's values, at a fraction of its cost.

    Same result (dicts for dataclasses, new lists, tuples and dicts, copies of anything else), but
    the field names are looked up once per class and immutable leaves are returned as they are
    instead of going through `copy.deepcopy`; saving 10,000 VMs spent half its time in asdict.
    """
    cls = type(value)
    if cls in _LEAVES:
        return value
    if cls is list:
        return [plain(item) for item in value]
    names = _FIELD_NAMES.get(cls)
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if cls is dict:
        return {plain(k): plain(v) for k, v in value.items()}
    if cls is tuple:
        return tuple(plain(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        _FIELD_NAMES[cls] = tuple(f.name for f in fields(value))
        return plain(value)
    # Subclasses of the containers, as asdict treats them.
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return cls(*[plain(item) for item in value])
    if isinstance(value, list | tuple):
        return cls(plain(item) for item in value)
    if isinstance(value, dict):
        return cls((plain(k), plain(v)) for k, v in value.items())
    return copy.deepcopy(value)


def _known_fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The keys of `data` that `cls` declares: documents written by newer versions still load."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _nic_from_dict(data: dict[str, Any]) -> Nic:
    values = _known_fields(Nic, data)
    values["ip_addresses"] = [IpAddress(**ip) for ip in data.get("ip_addresses") or []]
    return Nic(**values)
