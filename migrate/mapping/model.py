"""What the mapping files say, as plain frozen data the mapper and the readiness rules read.

`None` for a network or datastore target means "listed but not decided yet" (a `TODO` in the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

TODO = "TODO"


@dataclass(frozen=True, slots=True)
class NetworkTarget:
    """Where one portgroup's NICs go: a bridge, and a VLAN tag or a trunk list (`10;20-30`)."""

    bridge: str
    vlan: int | None = None
    trunks: str | None = None
    firewall: bool = False


@dataclass(frozen=True, slots=True)
class StorageTarget:
    """Where one datastore's disks go: a Proxmox storage id and optionally a disk format (raw, qcow2)."""

    storage: str
    format: str | None = None
    node_path: str | None = None  # where the Proxmox nodes mount the datastore (NFS): its disks are read from there


@dataclass(frozen=True, slots=True)
class VmOverride:
    """Per-VM choices that beat the defaults, keyed by the vCenter VM name in the mapping file."""

    name: str | None = None
    ostype: str | None = None
    cpu: str | None = None
    ballooning: bool | None = None
    virtio_drivers: bool | None = None  # True: the VirtIO drivers are known to be installed (Windows)
    convert: bool | None = None  # False: never convert this guest on the node (virt-v2v-in-place)
    nic_names: tuple[str, ...] = ()  # the Linux guest's interface names in NIC order, when not VMware's ens192, ...
    storage: str | None = None
    networks: dict[str, NetworkTarget] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HardwareDefaults:
    """The hardware choices of `mappings/hardware.yaml`; see the comments there for the reasons."""

    scsihw: str = "virtio-scsi-single"
    nic_model: str = "virtio"
    windows_fallback_nic: str = "e1000e"
    windows_fallback_bus: str = "sata"
    cpu_fallback: str = "x86-64-v2-AES"
    efitype: str = "4m"
    discard: bool = True
    iothread: bool = True
    tags: tuple[str, ...] = ("migrated", "vmware")
    default_bridge: str = "vmbr0"
    default_storage: str = "local-lvm"


@dataclass(frozen=True, slots=True)
class GuestOsTable:
    """VMware guest ids (API spelling, e.g. `windows2019srv_64Guest`) to Proxmox `ostype`.

    `full_names` is the fallback for inventories without a guest id (RVTools gives the OS name):
    an ordered list of (lower-case substring, ostype); the first match wins.
    """

    by_id: dict[str, str]
    full_names: tuple[tuple[str, str], ...] = ()

    def lookup(self, guest_id: str | None, full_name: str | None) -> str | None:
        """The ostype for a guest id or, failing that, a full OS name; None when neither is known."""
        if guest_id and guest_id in self.by_id:
            return self.by_id[guest_id]
        if full_name:
            lowered = full_name.lower()
            for needle, ostype in self.full_names:
                if needle in lowered:
                    return ostype
        return None


@dataclass(frozen=True, slots=True)
class Mappings:
    """Everything the mapper needs besides the inventory and the target's facts."""

    guest_os: GuestOsTable
    hardware: HardwareDefaults = HardwareDefaults()
    source: str | None = None
    networks: dict[str, NetworkTarget | None] = field(default_factory=dict)
    storage: dict[str, StorageTarget | None] = field(default_factory=dict)
    vms: dict[str, VmOverride] = field(default_factory=dict)
    file: Path | None = None

    def network_for(self, vm_name: str, network: str | None) -> NetworkTarget | None:
        """The target of `network` for this VM: its override first, then the source-wide map."""
        override = self.vms.get(vm_name)
        if override and network in override.networks:
            return override.networks[network]
        return self.networks.get(network or "")

    def storage_for(self, vm_name: str, datastore: str | None) -> StorageTarget | None:
        """The target of `datastore` for this VM: a per-VM storage override first, then the map."""
        override = self.vms.get(vm_name)
        if override and override.storage:
            mapped = self.storage.get(datastore or "")
            return StorageTarget(override.storage, mapped.format if mapped else None, mapped.node_path if mapped else None)
        return self.storage.get(datastore or "")

    def override(self, vm_name: str) -> VmOverride:
        """The VM's overrides, or an empty one."""
        return self.vms.get(vm_name) or _NO_OVERRIDE

    def with_names(self, names: dict[str, str]) -> Mappings:
        """These mappings with the Proxmox names of `names` (vCenter name -> name) pinned over the file's."""
        if not names:
            return self
        vms = dict(self.vms)
        for vm_name, name in names.items():
            vms[vm_name] = replace(self.override(vm_name), name=name)
        return replace(self, vms=vms)


_NO_OVERRIDE = VmOverride()


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """What the mapper must know about the Proxmox target (discovered by a later issue, or given by hand)."""

    node_cpu_models: tuple[str, ...] = ()
    existing_names: frozenset[str] = frozenset()
    existing_macs: frozenset[str] = frozenset()
    virtio_win: str | None = None  # the virtio-win ISO's path on the nodes (`target set --virtio-win`)

    @property
    def uniform_cpu(self) -> bool:
        """True when every node is known and has the same CPU model, so `cpu: host` cannot break live migration."""
        models = set(self.node_cpu_models)
        return bool(self.node_cpu_models) and len(models) == 1 and "" not in models
