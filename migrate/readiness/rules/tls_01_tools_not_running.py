"""TLS-01: without running VMware Tools there is no guest data (OS, IPs) to plan with."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("TLS-01", Severity.WARNING, "VMware Tools not running", "Install or start VMware Tools (open-vm-tools on Linux) and discover again", needs=(facts.TOOLS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.power_state != "poweredOn":
        return
    if vm.tools_status is None and vm.tools_running is None:
        yield RULE.unknown("VMware Tools status", ctx.where)
    elif vm.tools_status in ("toolsNotInstalled", "toolsNotRunning") or (vm.tools_running is not None and vm.tools_running != "guestToolsRunning"):
        yield RULE.finding("VMware Tools are not running in the guest", {"tools_status": vm.tools_status, "tools_running": vm.tools_running})
