"""NET-03: a running VM without guest IP data means static IPs cannot be captured for re-applying."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("NET-03", Severity.WARNING, "No guest IP data", "Run VMware Tools in the guest, or record its IP settings by hand")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.power_state != "poweredOn" or not vm.nics:
        return
    if not vm.primary_ip and not any(nic.ip_addresses for nic in vm.nics):
        yield RULE.finding("VM is running but reports no IP address", {"primary_ip": vm.primary_ip})
