"""INV-03: a suspended source cannot be converted at all; a running one is shut down by the run itself.

A cold migration stops every source by the wave's stop policy before the final copy (guest shutdown through
VMware Tools), so a running VM is the normal case, not a warning; TLS-01 warns when that shutdown cannot work.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("INV-03", Severity.INFO, "VM not powered off", "Nothing: the wave's stop policy shuts the guest down cleanly before the final copy (never suspend it)", worst=Severity.BLOCKER)


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
        yield RULE.finding("VM is running: the run shuts it down by the wave's stop policy before the final copy", {"power_state": vm.power_state})
