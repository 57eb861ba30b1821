"""DSK-02: a disk without a positive capacity cannot be allocated on the target."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-02", Severity.BLOCKER, "Invalid disk capacity", "Repair the disk in vSphere (check its descriptor) and discover again")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for disk in vm.disks:
        if disk.capacity_bytes is None:
            yield RULE.unknown(f"capacity of disk {disk.label}")
        elif disk.capacity_bytes <= 0:
            yield RULE.finding(f"disk {disk.label} has capacity {disk.capacity_bytes}", {f"disks[{disk.label}].capacity_bytes": disk.capacity_bytes})
