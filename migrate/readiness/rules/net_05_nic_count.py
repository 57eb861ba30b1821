"""NET-05: Proxmox has net0 to net31."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("NET-05", Severity.BLOCKER, "Too many NICs", "Reduce the VM to at most 32 NICs (use VLAN trunks instead of one NIC per VLAN)")

MAX_NICS = 32


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if len(vm.nics) > MAX_NICS:
        yield RULE.finding(f"VM has {len(vm.nics)} NICs, more than {MAX_NICS}", {"nics": len(vm.nics)})
