"""DEV-02: an NVIDIA vGPU profile needs the vGPU stack on the target and the guest driver."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DEV-02", Severity.BLOCKER, "vGPU device", "Remove the vGPU before the move; set up mediated devices (mdev) on Proxmox and the guest driver", needs=(facts.VGPU,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for device in vm.devices:
        if device.kind == "vgpu":
            yield RULE.finding(f"vGPU {device.summary or device.label}", {"device.kind": device.kind, "device.summary": device.summary})
