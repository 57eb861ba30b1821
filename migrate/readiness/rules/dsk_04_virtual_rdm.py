"""DSK-04: a virtual-mode RDM can be snapshotted, but its mapping file is not the data."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-04", Severity.WARNING, "Virtual RDM disk", "Convert it to a VMDK (Storage vMotion with a disk format change) before the move")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for disk in vm.disks:
        if disk.backing == "rdm" and disk.rdm_mode == "virtualMode":
            yield RULE.finding(f"disk {disk.label} is a virtual-mode RDM", {f"disks[{disk.label}].rdm_mode": "virtualMode"})
