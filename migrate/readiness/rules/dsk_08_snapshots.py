"""DSK-08: only the current state is copied; snapshot chains slow the copy and break the SSH transport."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-08", Severity.WARNING, "Snapshots present", "Delete or consolidate the snapshots before cutover")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.snapshots:
        names = [snapshot.name for snapshot in vm.snapshots]
        yield RULE.finding(f"VM has {len(names)} snapshot(s); only the current state is migrated", {"snapshots": names})
