"""DEV-03: SCSI passthrough (tape drives, changers) is bound to the host's HBA."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DEV-03", Severity.BLOCKER, "SCSI passthrough device", "Remove the device before the move and pass it through again on the Proxmox node", needs=(facts.SCSI_PASSTHROUGH,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for device in vm.devices:
        if device.kind == "scsi_passthrough":
            yield RULE.finding(f"SCSI passthrough device {device.label or device.summary}", {"device.kind": device.kind, "device.label": device.label})
