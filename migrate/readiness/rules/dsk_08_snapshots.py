"""DSK-08: the copy reads only the base disks, so preflight refuses a VM with snapshots; so does readiness."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.mapping.source_copy import copy_refusals
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-08", Severity.BLOCKER, "Snapshots present", "Delete or consolidate the snapshots in vSphere before the run: preflight refuses the VM until then", needs=(facts.SNAPSHOTS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    names = [snapshot.name for snapshot in vm.snapshots]
    for refusal in copy_refusals(names, None):
        yield RULE.finding(f"VM {refusal.reason}: the run refuses it", {"snapshots": names})
