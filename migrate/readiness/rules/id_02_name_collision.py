"""ID-02: two VMs (or a VM already on the target) would share a name, so one gets a numbered suffix."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.names import proxmox_name
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("ID-02", Severity.WARNING, "Name collision", "Rename one of the VMs, or pin a name with `name:` in the mapping file")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    wanted = proxmox_name(ctx.mappings.override(vm.name).name or vm.name)
    chosen = ctx.proxmox_name(vm)
    if chosen and chosen != wanted:
        yield RULE.finding(f"{wanted!r} is taken on the target: the VM becomes {chosen!r}", {"name": vm.name, "proxmox_name": chosen})
