"""INV-02: VDDK refuses to read from a host in maintenance mode.

A transient state, so an unknown host state is not reported as unknown.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("INV-02", Severity.WARNING, "Source host in maintenance mode", "Take the host out of maintenance mode or vMotion the VM to another host", needs=(facts.HOSTS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    host = ctx.hosts.get(vm.host or "")
    if host is not None and host.maintenance:
        yield RULE.finding(f"the VM's host {host.name} is in maintenance mode", {"host.maintenance": True, "host": host.name})
