"""NET-01: Windows binds IP settings to the adapter, so a new NIC model loses a static IP to a ghost adapter."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.facts import IP_ORIGINS
from migrate.inventory.model import Vm
from migrate.mapping.guest import guest_ostype, is_windows
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("NET-01", Severity.WARNING, "Windows guest with a static IP", "Record IP, gateway and DNS now and re-apply them on the new adapter (or script it at first boot)")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if not is_windows(guest_ostype(vm, ctx.mappings)):
        return
    static = [ip.address for nic in vm.nics for ip in nic.ip_addresses if ip.origin == "manual"]
    if not static and any(ip.origin is None for nic in vm.nics for ip in nic.ip_addresses):
        yield RULE.unknown(IP_ORIGINS, ctx.where)  # RVTools lists addresses, not whether they are static
    if static:
        yield RULE.finding(f"static IP(s) {', '.join(static)} are lost when the NIC model changes", {"nics.ip_addresses(manual)": static})
