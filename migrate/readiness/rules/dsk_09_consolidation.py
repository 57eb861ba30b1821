"""DSK-09: leftover snapshot deltas are not read by the copy, so preflight refuses the VM; so does readiness."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.source_copy import copy_refusals
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-09", Severity.BLOCKER, "Snapshot consolidation needed", "Run Snapshots > Consolidate in vSphere before the run: preflight refuses the VM until then")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for refusal in copy_refusals((), vm.consolidation_needed):
        yield RULE.finding(f"VM {refusal.reason}: the run refuses it", {"consolidation_needed": True})
