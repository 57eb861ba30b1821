"""DEV-07: ISO images and floppies in a VM's drives are not copied."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DEV-07", Severity.INFO, "CD-ROM image or floppy", "Upload the ISO to a Proxmox iso storage and attach it again if it is still needed")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for device in vm.devices:
        if device.kind == "floppy" or (device.kind == "cdrom" and device.backing in ("iso", "host_device")):
            yield RULE.finding(f"{device.kind} {device.label} uses {device.backing or 'media'}: not copied", {"device.kind": device.kind, "device.summary": device.summary})
