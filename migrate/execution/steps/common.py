"""Small helpers the steps share: the planned VM, the target recorded in the state, the disks to copy."""

from __future__ import annotations

from typing import Any

from migrate.execution.itinerary import StepContext

DISK_KEYS = ("scsi", "sata", "ide", "virtio", "efidisk", "tpmstate")


def planned(ctx: StepContext) -> dict[str, Any]:
    """The PlannedVm (as a dict) of this VM."""
    return ctx.plan["vm"]


def source(ctx: StepContext) -> dict[str, Any]:
    """What discovery knows of the source VM: moref, datacenter, power state."""
    return ctx.plan["source"]


def target(ctx: StepContext) -> tuple[str, int]:
    """The node and VMID the toolkit created (recorded by create_shell)."""
    return ctx.state["target"]["node"], int(ctx.state["target"]["vmid"])


def copied_disks(ctx: StepContext) -> list[dict[str, Any]]:
    """The planned disks that have a source file (EFI vars and TPM state are created, not copied)."""
    return [d for d in planned(ctx)["disks"] if d.get("source_file")]


def disk_slots(ctx: StepContext) -> list[str]:
    return [d["slot"] for d in copied_disks(ctx)]


def disk_of(ctx: StepContext, slot: str) -> dict[str, Any]:
    return next(d for d in copied_disks(ctx) if d["slot"] == slot)


def is_disk_key(key: str) -> bool:
    return key.rstrip("0123456789") in DISK_KEYS and key[-1:].isdigit()
