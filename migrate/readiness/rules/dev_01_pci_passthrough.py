"""DEV-01: a PCI passthrough device is bound to the ESXi host's hardware."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DEV-01", Severity.BLOCKER, "PCI passthrough device", "Remove the device before the move and re-create it as hostpci on the Proxmox node", needs=(facts.PCI_PASSTHROUGH,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for device in vm.devices:
        if device.kind == "pci_passthrough":
            yield RULE.finding(f"PCI passthrough device {device.label or device.summary}", {"device.kind": device.kind, "device.label": device.label})
