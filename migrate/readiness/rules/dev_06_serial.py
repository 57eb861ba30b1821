"""DEV-06: Proxmox serial ports are sockets only; network (vSPC), pipe and file serial ports are lost."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DEV-06", Severity.WARNING, "Serial or parallel port", "Re-plan the serial console (serialN: socket, reached with qm terminal)", needs=(facts.SERIAL_PORTS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for device in vm.devices:
        if device.kind in ("serial", "parallel"):
            yield RULE.finding(f"{device.kind} port {device.label} ({device.backing or 'unknown backing'})", {"device.kind": device.kind, "device.backing": device.backing})
