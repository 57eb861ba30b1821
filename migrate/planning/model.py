"""A plan: for every VM of a wave, where it lands and with what config; plain data that round-trips as JSON.

The executor (`migrate run`) reads a stored plan and needs nothing else about the target side: the node,
the VMID, the Proxmox name, the full `POST /nodes/{node}/qemu` parameters, each disk's storage and size,
each NIC's bridge and VLAN. Sizes are bytes, memory MiB, times seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

MIB = 1024**2
GIB = 1024**3
DEFAULT_THROUGHPUT_MIB_S = 100.0


@dataclass(frozen=True)
class PlanSettings:
    """The knobs of planning; stored with the plan, because they are inputs of it."""

    vmid_min: int = 1000
    vmid_max: int = 999_999
    throughput_mib_s: float = DEFAULT_THROUGHPUT_MIB_S  # sustained copy speed per VM, source to target storage
    throughput_source: str = "default"  # default, option (--throughput), target (its setting), measured
    measured_copies: int = 0  # with source "measured": how many earlier copies on the target gave the median
    shutdown_s: int = 300  # the wave's stop policy: how long the guest shutdown may take
    create_s: int = 60  # attaching the disks, the config, the source's NICs cut: API calls after the copy
    boot_s: int = 120  # the first boot until the guest agent answers (`migrate run --agent-timeout`)
    parallel: int = 4  # VMs at once, as `migrate run --parallel`
    per_node: int = 2  # VMs at once on one node or source datastore, as `migrate run --per-node`
    storage_limit: float = 0.80  # of a storage's size, after placement (production architecture)
    ceph_limit: float = 0.70  # Ceph pools must keep room to heal after a node loss
    memory_limit: float = 0.90  # of a node's memory, after placement


@dataclass(frozen=True)
class PlannedDisk:
    slot: str  # scsi0, sata0, efidisk0, tpmstate0
    storage: str
    size_bytes: int  # the volume to allocate (provisioned)
    transfer_bytes: int  # what the copy moves: used bytes, or provisioned when unknown (migrate.inventory.sizes)
    transfer_estimated: bool = False  # the used size is unknown: transfer_bytes is the provisioned size
    source_label: str | None = None
    source_file: str | None = None  # "[datastore] vm/vm.vmdk"; None for EFI vars and TPM state
    datastore: str | None = None
    format: str | None = None
    shared: bool = False  # the storage is shared by the cluster (one pool, HA and live migration possible)
    node_path: str | None = None  # where the nodes mount the source datastore; None: read over HTTPS


@dataclass(frozen=True)
class PlannedNic:
    slot: str  # net0..
    mac: str | None
    bridge: str
    vlan: int | None
    model: str
    source_network: str | None = None
    trunks: str | None = None  # VLANs the NIC carries tagged (`10;20-30`): the bridge must be VLAN-aware too


@dataclass(frozen=True)
class PlannedCheck:
    """A readiness finding that applies to the VM at its cutover (a warning, or a blocker of a forced plan): the
    runbook makes it a checklist item with its remedy."""

    rule_id: str
    severity: str
    message: str
    remedy: str


@dataclass(frozen=True)
class PlannedVm:
    vm_id: int | None  # the inventory's row id
    vm_key: str
    vm_name: str
    proxmox_name: str
    node: str
    vmid: int
    memory_mib: int
    vcpus: int
    verdict: str
    config: dict[str, Any]  # POST /nodes/{node}/qemu parameters, vmid excluded, disks on their planned storage
    disks: tuple[PlannedDisk, ...]
    nics: tuple[PlannedNic, ...]
    transfer_bytes: int
    copy_seconds: int
    downtime_seconds: int  # shutdown + copy + create + boot
    ha_wanted: bool = False
    group: str | None = None
    guest: dict[str, Any] | None = None  # what the runbook shows: OS, static IPs, tools, firmware
    notes: tuple[str, ...] = ()
    transfer_estimated: bool = False  # some disk's used size is unknown: its provisioned size is counted
    shutdown_seconds: int = 0
    create_seconds: int = 0
    boot_seconds: int = 0
    checks: tuple[PlannedCheck, ...] = ()

    def downtime_with(self, copy_seconds: int) -> int:
        """The plan's downtime model with another copy time (a warm copy's final pass): shutdown + copy + create
        + boot, the parts this VM was planned with."""
        return self.shutdown_seconds + copy_seconds + self.create_seconds + self.boot_seconds


@dataclass(frozen=True)
class ExcludedVm:
    vm_key: str
    vm_name: str
    reason: str


@dataclass(frozen=True)
class Plan:
    wave: int
    wave_name: str | None
    target: str
    snapshot_version: int
    settings: PlanSettings
    forced: bool
    vms: tuple[PlannedVm, ...]
    excluded: tuple[ExcludedVm, ...]

    @property
    def transfer_bytes(self) -> int:
        return sum(vm.transfer_bytes for vm in self.vms)

    @property
    def copy_seconds(self) -> int:
        return sum(vm.copy_seconds for vm in self.vms)

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data (what `dataclasses.asdict` gives, several times faster for 10,000 VMs)."""
        return _plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        values = _known(cls, data)
        values["settings"] = PlanSettings(**_known(PlanSettings, data["settings"]))
        values["vms"] = tuple(_planned_vm(item) for item in data.get("vms") or [])
        values["excluded"] = tuple(ExcludedVm(**_known(ExcludedVm, item)) for item in data.get("excluded") or [])
        return cls(**values)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _planned_vm(data: dict[str, Any]) -> PlannedVm:
    values = _known(PlannedVm, data)
    values["disks"] = tuple(PlannedDisk(**_known(PlannedDisk, d)) for d in data.get("disks") or [])
    values["nics"] = tuple(PlannedNic(**_known(PlannedNic, n)) for n in data.get("nics") or [])
    values["notes"] = tuple(data.get("notes") or ())
    values["checks"] = tuple(PlannedCheck(**_known(PlannedCheck, c)) for c in data.get("checks") or [])
    return PlannedVm(**values)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
