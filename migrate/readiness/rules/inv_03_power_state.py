"""INV-03: a running source gives an inconsistent copy; a suspended one cannot be converted at all."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("INV-03", Severity.WARNING, "VM not powered off", "Shut the guest down cleanly at cutover (never suspend it)")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.power_state is None:
        yield RULE.unknown("power state")
    elif vm.power_state == "suspended":
        yield RULE.finding(
            "VM is suspended: its memory state cannot move and its disks are not consistent",
            {"power_state": vm.power_state},
            severity=Severity.BLOCKER,
            remedy="Resume the VM and shut it down cleanly",
        )
    elif vm.power_state == "poweredOn":
        yield RULE.finding("VM is running: it must be shut down for the final copy", {"power_state": vm.power_state})
