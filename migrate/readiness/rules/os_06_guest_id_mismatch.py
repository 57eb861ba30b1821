"""OS-06: the OS vCenter is told differs from what VMware Tools sees, so OS-based choices may be wrong."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-06", Severity.INFO, "Configured and detected guest OS differ", "Correct the VM's guest OS setting in vCenter, or set `ostype` in the mapping file", needs=(facts.DETECTED_GUEST_ID,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.guest_id and vm.guest_id_detected and vm.guest_id != vm.guest_id_detected:
        yield RULE.finding(
            f"configured guest {vm.guest_id} but VMware Tools reports {vm.guest_id_detected}",
            {"guest_id": vm.guest_id, "guest_id_detected": vm.guest_id_detected},
        )
