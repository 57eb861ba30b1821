"""DSK-03: a physical-mode RDM is a SAN LUN: no snapshot, no VDDK or file copy."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-03", Severity.BLOCKER, "Physical RDM disk", "Leave the disk out and present the LUN to Proxmox directly, or copy the data inside the guest")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for disk in vm.disks:
        if disk.backing == "rdm" and disk.rdm_mode == "physicalMode":
            yield RULE.finding(f"disk {disk.label} is a physical-mode RDM", {f"disks[{disk.label}].rdm_mode": "physicalMode"})
