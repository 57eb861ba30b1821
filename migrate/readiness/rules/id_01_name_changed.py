"""ID-01: a vCenter name that is not a valid DNS name is changed for Proxmox."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.names import proxmox_name
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("ID-01", Severity.INFO, "VM name changed", "Accept the new name, or set `name:` for this VM in the mapping file")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    cleaned = proxmox_name(vm.name)
    if cleaned != vm.name and not ctx.mappings.override(vm.name).name:
        yield RULE.finding(f"name {vm.name!r} becomes {cleaned!r} on Proxmox", {"name": vm.name, "proxmox_name": cleaned})
