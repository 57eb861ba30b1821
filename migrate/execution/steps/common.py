"""Small helpers the steps share: the target recorded in the state, the disks to copy."""

from __future__ import annotations

from migrate.clients.proxmox.vm import Ownership
from migrate.execution.itinerary import StepContext
from migrate.planning.model import PlannedDisk

DISK_KEYS = ("scsi", "sata", "ide", "virtio", "efidisk", "tpmstate")


def target(ctx: StepContext) -> tuple[str, int]:
    """The node and VMID the toolkit created (recorded by create_shell)."""
    return ctx.state.target.node, ctx.state.target.vmid


def ownership(ctx: StepContext) -> Ownership:
    """What proves the VM at the planned VMID the toolkit's own for this migration: marker, owner line, name, MACs."""
    vm = ctx.vm
    return Ownership(vm.vm_key, vm.vmid, ctx.vm_migration_id, name=str(vm.config.get("name") or ""),
                     macs=tuple(nic.mac.upper() for nic in vm.nics if nic.mac))


def copied_disks(ctx: StepContext) -> list[PlannedDisk]:
    """The planned disks that have a source file (EFI vars and TPM state are created, not copied)."""
    return [d for d in ctx.vm.disks if d.source_file]


def disk_slots(ctx: StepContext) -> list[str]:
    return [d.slot for d in copied_disks(ctx)]


def disk_of(ctx: StepContext, slot: str) -> PlannedDisk:
    return next(d for d in copied_disks(ctx) if d.slot == slot)


def is_disk_key(key: str) -> bool:
    return key.rstrip("0123456789") in DISK_KEYS and key[-1:].isdigit()
