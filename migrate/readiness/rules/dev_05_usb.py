"""DEV-05: USB controllers and devices are not migrated."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DEV-05", Severity.WARNING, "USB device", "Re-attach the USB devices on Proxmox (usbN) after the move", needs=(facts.USB_CONTROLLERS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    usb = [d.label or d.kind for d in vm.devices if d.kind in ("usb", "usb_controller")]
    usb += [c.model or c.kind for c in vm.controllers if c.kind == "usb"]
    if usb:
        yield RULE.finding(f"USB: {', '.join(sorted(set(usb)))}", {"usb": sorted(set(usb))})
