"""NET-04: MACs are kept (DHCP reservations, licences), so a MAC already in use on the target or twice in the source breaks layer 2."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("NET-04", Severity.BLOCKER, "MAC address conflict", "Remove the conflicting VM or NIC, or give this NIC a new MAC (and update DHCP reservations)", needs=(facts.NIC_DETAILS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for nic in vm.nics:
        mac = (nic.mac or "").upper()
        if not mac:
            yield RULE.unknown(f"MAC of {nic.label or nic.network}", ctx.where)
            continue
        if mac in ctx.target.existing_macs:
            yield RULE.finding(f"MAC {mac} of {nic.label} is already used on the Proxmox target", {f"nics[{nic.label}].mac": mac})
        elif ctx.mac_counts.get(mac, 0) > 1:
            yield RULE.finding(f"MAC {mac} of {nic.label} is used by another NIC in the source too", {f"nics[{nic.label}].mac": mac})
