"""TLS-02: VMware Tools must go after the move; on Windows the automatic uninstall often fails (1603)."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("TLS-02", Severity.INFO, "VMware Tools installed", "Uninstall VMware Tools before cutover (Windows), and install the QEMU guest agent", needs=(facts.TOOLS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.tools_status and vm.tools_status != "toolsNotInstalled":
        yield RULE.finding("VMware Tools are installed and must be removed", {"tools_status": vm.tools_status})
