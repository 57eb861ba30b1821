"""DSK-17 (new): every datastore a disk lives on needs a Proxmox storage in the mapping file."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-17", Severity.BLOCKER, "Datastore not mapped", "Add the datastore under `storage:` in mappings/<source>.yaml (migrate mapping init lists them)", maps=True)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for name in sorted({disk.datastore for disk in vm.disks if disk.datastore}):
        if ctx.mappings.storage_for(vm.name, name) is None:
            yield RULE.finding(f"datastore {name} has no Proxmox storage", {"datastore": name})
