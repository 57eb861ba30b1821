"""INV-01: a VM that vCenter cannot reach (orphaned, inaccessible) has no readable config or disks."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("INV-01", Severity.BLOCKER, "VM not connected", "Fix the VM in vCenter (re-register or reconnect its host) and discover again")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.connection_state is None:
        yield RULE.unknown("connection state")
    elif vm.connection_state != "connected":
        yield RULE.finding(f"VM is {vm.connection_state}: its configuration and disks cannot be read", {"connection_state": vm.connection_state})
