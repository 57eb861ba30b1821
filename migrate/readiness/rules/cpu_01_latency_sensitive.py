"""CPU-01 (new): a latency-sensitive VM (full reservation, high sensitivity) gets ballooning off and needs capacity."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.guest import is_latency_sensitive
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("CPU-01", Severity.INFO, "Latency-sensitive VM", "Ballooning is off in the config; place the VM on a node with its full memory free")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if is_latency_sensitive(vm):
        yield RULE.finding(
            "memory fully reserved or latency sensitivity high: ballooning off",
            {"memory_reservation_mb": vm.memory_reservation_mb, "latency_sensitivity": vm.latency_sensitivity},
        )
