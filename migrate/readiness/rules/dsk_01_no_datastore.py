"""DSK-01: a disk file that is not on a datastore cannot be read by any transfer path."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-01", Severity.BLOCKER, "Disk not on a datastore", "Move the disk to a datastore (Storage vMotion) and discover again")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for disk in vm.disks:
        if disk.datastore:
            continue
        if disk.file_path is None:
            yield RULE.unknown(f"datastore of disk {disk.label}")
        elif not disk.file_path.startswith("["):
            yield RULE.finding(f"disk {disk.label} is not on a datastore", {f"disks[{disk.label}].file_path": disk.file_path})
