"""DRV-03 (new): NT, 2000, XP, 2003, 9x, DOS and Linux 2.4 have no AHCI, e1000e or VirtIO driver and no agent."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import planned_devices
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule(
    "DRV-03",
    Severity.INFO,
    "Legacy guest on emulated devices",
    "Nothing before the move; the guest keeps IDE disks and an emulated NIC for good: plan an OS upgrade",
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    devices = planned_devices(vm, ctx.mappings, ctx.target)
    if devices.kind == "legacy":
        yield RULE.finding(
            f"IDE disks, {devices.nic_model} NICs and no guest agent: the guest has no driver for SATA/AHCI, e1000e or VirtIO",
            {"guest_id": vm.guest_id or vm.guest_full_name, "nic_model": devices.nic_model},
        )
