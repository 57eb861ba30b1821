"""DRV-01 (new): Windows cannot boot from VirtIO without its drivers, so without proof it starts on SATA and e1000e."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import planned_devices
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule(
    "DRV-01",
    Severity.WARNING,
    "Windows without proof of VirtIO drivers",
    "Name the virtio-win ISO on the target (`migrate target set TARGET --virtio-win PATH`): the run then converts "
    "the guest with its drivers and plans it on VirtIO; or install virtio-win in the guest before the move and set "
    "`virtio_drivers: true` for the VM; otherwise install them after the first boot from the attached ISO and switch "
    "to the VirtIO config",
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if planned_devices(vm, ctx.mappings, ctx.target).kind == "windows":
        yield RULE.finding("first boot on a SATA disk and e1000e NICs (slower) until the VirtIO drivers are installed", {"guest_id": vm.guest_id or vm.guest_full_name, "virtio_drivers": "not set"})
