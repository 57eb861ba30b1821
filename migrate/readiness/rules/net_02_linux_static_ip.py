"""NET-02: Linux names NICs by PCI slot, so ens192 becomes ens18 and static configs stop matching."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.facts import IP_ORIGINS
from migrate.inventory.model import Vm
from migrate.mapping.guest import guest_ostype
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("NET-02", Severity.WARNING, "Linux guest with a static IP", "Match the interface by MAC (netplan match/macaddress, systemd .link) before the move")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if guest_ostype(vm, ctx.mappings) not in ("l26", "l24"):
        return
    static = [ip.address for nic in vm.nics for ip in nic.ip_addresses if ip.origin == "manual"]
    if not static and any(ip.origin is None for nic in vm.nics for ip in nic.ip_addresses):
        yield RULE.unknown(IP_ORIGINS, ctx.where)  # RVTools lists addresses, not whether they are static
    if static:
        yield RULE.finding(f"static IP(s) {', '.join(static)}: the interface name changes on Proxmox", {"nics.ip_addresses(manual)": static})
