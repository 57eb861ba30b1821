"""DSK-09: a VM needing consolidation has leftover delta disks that slow or break the copy."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-09", Severity.WARNING, "Snapshot consolidation needed", "Run Snapshots > Consolidate in vSphere")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.consolidation_needed:
        yield RULE.finding("VM needs snapshot consolidation", {"consolidation_needed": True})
