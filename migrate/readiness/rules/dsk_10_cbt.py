"""DSK-10: without Changed Block Tracking only cold (full) copies are possible, no warm sync."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-10", Severity.INFO, "Changed Block Tracking off", "Enable CBT (ctkEnabled) and power-cycle the VM if a warm migration is planned")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.cbt_enabled is False:
        yield RULE.finding("CBT is off: the VM can only be copied cold", {"cbt_enabled": False})
