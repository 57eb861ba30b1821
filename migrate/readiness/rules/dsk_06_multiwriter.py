"""DSK-06: a shared or multi-writer disk gets a torn copy while another VM writes, and is duplicated on the target."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.names import vm_key
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-06", Severity.BLOCKER, "Shared or multi-writer disk", "Detach the disk from every VM but one, or rebuild the cluster storage on the target")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for disk in vm.disks:
        if disk.sharing == "sharingMultiWriter":
            yield RULE.finding(f"disk {disk.label} is multi-writer", {f"disks[{disk.label}].sharing": disk.sharing})
        elif disk.file_path and len(ctx.disk_users.get(disk.file_path, ())) > 1:
            others = sorted(ctx.disk_users[disk.file_path] - {vm_key(vm)})
            yield RULE.finding(f"disk {disk.label} is attached to other VMs too", {f"disks[{disk.label}].file_path": disk.file_path, "shared_with": others})
