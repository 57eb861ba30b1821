"""How big a VM is, and how many bytes its migration moves: the one size model every command reads.

Per disk: the provisioned size (the disk's capacity, what the target volume is allocated with), the used size
where it is known (the allocated bytes of the disk's files, from the vSphere API's file layout), and the bytes
to move: the used size when known, else the provisioned size, marked as an estimate.

Why per disk and not the VM's own "used" figure (vSphere's `summary.storage.committed`, RVTools' `In Use MiB`):
that one counts every file of the VM (swap, logs, snapshots, the vmx) and is not what the copy reads, so it is
never used for the bytes to move. An RVTools export has no used size per disk: its VMs are estimated.

A used size of 0 for a disk with a capacity is treated as unknown: a real disk's files always hold at least its
descriptor, so 0 means the figure is missing (a simulator's empty files, an export without the column), and a
plan built on it would promise a 1 TB server down for a few minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from migrate.inventory.model import Disk, Vm


@dataclass(frozen=True)
class DiskSize:
    """One disk: provisioned bytes, used bytes when known, and what the copy moves."""

    provisioned_bytes: int
    used_bytes: int | None = None

    @property
    def estimated(self) -> bool:
        """True when the used size is unknown and the bytes to move are the provisioned size."""
        return self.used_bytes is None

    @property
    def to_move_bytes(self) -> int:
        return self.provisioned_bytes if self.used_bytes is None else self.used_bytes


@dataclass(frozen=True)
class VmSize:
    """The sums over a VM's disks."""

    disks: tuple[DiskSize, ...]

    @property
    def provisioned_bytes(self) -> int:
        return sum(d.provisioned_bytes for d in self.disks)

    @property
    def to_move_bytes(self) -> int:
        return sum(d.to_move_bytes for d in self.disks)

    @property
    def estimated(self) -> bool:
        """True when the used size of at least one disk is unknown."""
        return any(d.estimated for d in self.disks)


def disk_size(disk: Disk) -> DiskSize:
    """The size model of one inventory disk (unknown capacity counts as 0 bytes)."""
    provisioned = disk.capacity_bytes or 0
    used = disk.committed_bytes
    if used is None or (used == 0 and provisioned > 0):
        return DiskSize(provisioned)
    # The chain's files include the descriptor: a thick disk's are a few hundred bytes over its capacity.
    return DiskSize(provisioned, min(used, provisioned) if provisioned else used)


def vm_size(vm: Vm) -> VmSize:
    """The size model of a VM's disks."""
    return VmSize(tuple(disk_size(d) for d in vm.disks))


def facts_size(facts: dict[str, Any]) -> VmSize:
    """`vm_size` of a stored VM document (`VmRecord.facts`), without building the whole Vm."""
    disks = facts.get("disks") or []
    return VmSize(tuple(disk_size(Disk(key=None, label=None, capacity_bytes=d.get("capacity_bytes"),
                                       committed_bytes=d.get("committed_bytes"))) for d in disks))


def total(sizes: Iterable[VmSize]) -> tuple[int, int, int]:
    """(provisioned bytes, bytes to move, VMs estimated) over several VMs."""
    sizes = list(sizes)
    return (sum(s.provisioned_bytes for s in sizes), sum(s.to_move_bytes for s in sizes),
            sum(1 for s in sizes if s.estimated))
