"""FW-03: Secure Boot needs the Microsoft keys enrolled on the target, and custom-signed kernels need their own key."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("FW-03", Severity.WARNING, "Secure Boot enabled", "The config enrols the standard keys (pre-enrolled-keys=1); a custom-signed kernel or driver needs its key enrolled by hand")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.secure_boot:
        yield RULE.finding("Secure Boot is on: the target's efidisk gets pre-enrolled Microsoft keys", {"secure_boot": True})
