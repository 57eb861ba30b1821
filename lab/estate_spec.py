"""The sample estate as plain data: what `sample_inventory/estate.yaml` describes, after defaults are applied.

These classes are the loader's and the exporters' contract. They are deliberately close to what a
consultant writes in the YAML (sizes in GB, VLANs as numbers), not to vSphere's API types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HostSpec:
    name: str
    cpu_model: str
    cpu_sockets: int
    cpu_cores: int
    cpu_threads: int
    cpu_mhz: int
    memory_gb: int
    esxi_version: str
    esxi_build: str


@dataclass(frozen=True)
class DatastoreSpec:
    name: str
    type: str  # VMFS or NFS
    capacity_gb: int
    remote_host: str | None = None  # NFS only
    remote_path: str | None = None


@dataclass(frozen=True)
class PortgroupSpec:
    """A standard portgroup, present on vSwitch0 of every host of its datacenter."""

    name: str
    vlan: int
    vswitch: str = "vSwitch0"


@dataclass(frozen=True)
class DvPortgroupSpec:
    name: str
    vlan: int | None = None
    trunk: tuple[tuple[int, int], ...] = ()
    pvlan: int | None = None  # the secondary VLAN id of a private VLAN

    @property
    def vlan_mode(self) -> str:
        if self.trunk:
            return "trunk"
        if self.pvlan is not None:
            return "pvlan"
        return "vlan" if self.vlan else "none"


@dataclass(frozen=True)
class PvlanSpec:
    primary: int
    secondary: int
    type: str  # promiscuous, isolated, community


@dataclass(frozen=True)
class DvSwitchSpec:
    name: str
    portgroups: tuple[DvPortgroupSpec, ...]
    pvlans: tuple[PvlanSpec, ...] = ()


@dataclass(frozen=True)
class RuleSpec:
    name: str
    kind: str  # affinity, anti-affinity, vm-host (its VMs must, or with mandatory false should, run on its hosts)
    vms: tuple[str, ...]
    enabled: bool = True
    mandatory: bool = False
    hosts: tuple[str, ...] = ()  # vm-host only


@dataclass(frozen=True)
class HaVmSpec:
    """A VM's vSphere HA settings where they differ from the cluster's defaults."""

    vm: str
    restart_priority: str | None = None  # disabled, lowest, low, medium, high, highest
    isolation_response: str | None = None  # none, powerOff, shutdown


@dataclass(frozen=True)
class ControllerSpec:
    kind: str  # scsi, sata, nvme
    model: str  # pvscsi, lsilogic, lsilogic-sas, buslogic, ahci, nvme
    bus: int
    sharing: str = "noSharing"

    @property
    def ref(self) -> str:
        """How a disk names its controller in the YAML: `scsi0`, `scsi1`, `sata0`."""
        return f"{self.kind}{self.bus}"


@dataclass(frozen=True)
class DiskSpec:
    size_gb: int
    controller: str  # a ControllerSpec.ref
    unit: int
    provisioning: str = "thin"  # thin, thick (lazy zeroed), eager (eager zeroed)
    mode: str = "persistent"  # persistent, independent_persistent, independent_nonpersistent
    sharing: str = "sharingNone"  # sharingNone, sharingMultiWriter
    datastore: str = ""


@dataclass(frozen=True)
class NicSpec:
    network: str
    adapter: str = "vmxnet3"  # vmxnet3, e1000, e1000e
    ip_addresses: tuple[str, ...] = ()  # "10.1.2.3/24", as the guest reports them
    connected: bool = True


@dataclass(frozen=True)
class DeviceSpec:
    """A CD-ROM, USB device, serial port or PCI passthrough device."""

    kind: str  # cdrom, usb, serial, pci_passthrough
    backing: str | None = None  # cdrom: iso, client_device; serial: file, network, pipe
    target: str | None = None  # ISO path, serial file/URI/pipe, host USB path, PCI address
    label: str | None = None  # passthrough: the device's name as the host lists it
    vendor_id: int | None = None
    device_id: int | None = None


@dataclass(frozen=True)
class SnapshotSpec:
    name: str
    description: str = ""
    parent: str | None = None  # None: a root snapshot


@dataclass(frozen=True)
class VmSpec:
    name: str
    datacenter: str
    cluster: str
    host: str
    folder: str  # relative to the datacenter's VM folder, "" for the folder itself
    resource_pool: str | None  # None: the cluster's root pool
    datastore: str
    guest_id: str
    guest_full_name: str
    firmware: str = "bios"
    secure_boot: bool = False
    vtpm: bool = False
    hw_version: str = "vmx-13"
    cpus: int = 2
    cores_per_socket: int = 1
    memory_mb: int = 4096
    cpu_hot_add: bool = False
    memory_hot_add: bool = False
    memory_reservation_mb: int = 0
    reservation_locked: bool = False
    latency_sensitivity: str = "normal"
    cbt: bool = False
    annotation: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    power_state: str = "poweredOn"  # poweredOn, poweredOff, suspended
    template: bool = False
    hostname: str | None = None
    tools: str = "toolsOk"  # toolsOk, toolsOld, toolsNotInstalled, toolsNotRunning
    tools_version: str | None = None
    controllers: tuple[ControllerSpec, ...] = ()
    disks: tuple[DiskSpec, ...] = ()
    nics: tuple[NicSpec, ...] = ()
    devices: tuple[DeviceSpec, ...] = ()
    snapshots: tuple[SnapshotSpec, ...] = ()


@dataclass(frozen=True)
class ClusterSpec:
    name: str
    hosts: tuple[HostSpec, ...]
    ha: bool = True
    ha_admission_control: bool = True
    drs: bool = True
    drs_behavior: str = "fullyAutomated"
    resource_pools: tuple[str, ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    vms: tuple[VmSpec, ...] = ()
    ha_vms: tuple[HaVmSpec, ...] = ()


@dataclass(frozen=True)
class DatacenterSpec:
    name: str
    datastores: tuple[DatastoreSpec, ...]
    portgroups: tuple[PortgroupSpec, ...] = ()
    dvswitches: tuple[DvSwitchSpec, ...] = ()
    folders: tuple[str, ...] = ()
    clusters: tuple[ClusterSpec, ...] = ()


@dataclass(frozen=True)
class Estate:
    source: str  # the vCenter name the estate pretends to be
    datacenters: tuple[DatacenterSpec, ...]
    custom_attributes: tuple[str, ...] = field(default=())

    def vms(self) -> Iterator[VmSpec]:
        """Every VM and template, datacenter by datacenter, in file order."""
        for dc in self.datacenters:
            for cluster in dc.clusters:
                yield from cluster.vms
