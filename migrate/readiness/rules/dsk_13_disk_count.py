"""DSK-13: Proxmox has at most 31 SCSI disks per VM; the mapper puts every disk on SCSI."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-13", Severity.BLOCKER, "Too many disks", "Consolidate disks in the guest (fewer, larger disks) before migrating")

MAX_SCSI_DISKS = 31


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if len(vm.disks) > MAX_SCSI_DISKS:
        yield RULE.finding(f"VM has {len(vm.disks)} disks, more than the {MAX_SCSI_DISKS} SCSI slots", {"disks": len(vm.disks)})
