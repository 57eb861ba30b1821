"""CLU-01: Fault Tolerance has no Proxmox equivalent and a secondary VM that must not be copied."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("CLU-01", Severity.WARNING, "Fault Tolerance on", "Turn off Fault Tolerance before the move; use Proxmox HA instead")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.ft_state and vm.ft_state != "notConfigured":
        yield RULE.finding(f"Fault Tolerance is {vm.ft_state}", {"ft_state": vm.ft_state})
