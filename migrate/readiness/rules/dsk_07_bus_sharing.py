"""DSK-07: SCSI bus sharing means a guest cluster (WSFC) that cannot be copied disk by disk."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-07", Severity.BLOCKER, "SCSI bus sharing", "Rebuild the guest cluster on the target (shared storage on Proxmox) instead of copying it")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for controller in vm.controllers:
        if controller.bus_sharing in ("physicalSharing", "virtualSharing"):
            yield RULE.finding(
                f"SCSI controller {controller.bus_number} uses {controller.bus_sharing}",
                {f"controllers[{controller.bus_number}].bus_sharing": controller.bus_sharing},
            )
