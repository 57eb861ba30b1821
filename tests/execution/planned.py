"""Typed plans for the executor's tests: a PlannedVm and a VmPlan with sensible defaults, changed per case."""

from __future__ import annotations

from migrate.execution.vm_plan import SourceRef, VmPlan
from migrate.planning.model import PlannedDisk, PlannedNic, PlannedVm
from migrate.waves.policy import StopPolicy

MIB = 1024**2


def make_disk(slot: str = "scsi0", **overrides) -> PlannedDisk:
    values = dict(slot=slot, storage="data", size_bytes=8 * MIB, transfer_bytes=8 * MIB,
                  source_label="Hard disk 1", source_file="[ds] web01/web01.vmdk", datastore="ds")
    return PlannedDisk(**{**values, **overrides})


def make_nic(slot: str = "net0", **overrides) -> PlannedNic:
    values = dict(slot=slot, mac="00:50:56:00:00:01", bridge="vmbr0", vlan=None, model="virtio")
    return PlannedNic(**{**values, **overrides})


def make_planned_vm(name: str = "web01", **overrides) -> PlannedVm:
    values = dict(vm_id=1, vm_key=f"key-{name}", vm_name=name, proxmox_name=name, node="pve1", vmid=1000,
                  memory_mib=4096, vcpus=2, verdict="Ready", config={}, disks=(make_disk(),), nics=(make_nic(),),
                  transfer_bytes=8 * MIB, copy_seconds=1, downtime_seconds=60)
    return PlannedVm(**{**values, **overrides})


def make_vm_plan(**overrides) -> VmPlan:
    """A VmPlan of `make_planned_vm(**overrides)`, with a source and the default stop policy."""
    return VmPlan(make_planned_vm(**overrides), SourceRef("vm-42", "DC0", "poweredOn"), StopPolicy())
