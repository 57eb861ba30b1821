"""DSK-05: independent disks are left out of snapshots, so snapshot-based (VDDK, warm) copies skip them."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-05", Severity.WARNING, "Independent disk", "Switch the disk to Dependent, or copy it cold from the file")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for disk in vm.disks:
        if disk.disk_mode and disk.disk_mode.startswith("independent"):
            yield RULE.finding(f"disk {disk.label} is {disk.disk_mode}", {f"disks[{disk.label}].disk_mode": disk.disk_mode})
