"""CNV-02 (new): Windows is converted only with the virtio-win ISO, which the target must name on its nodes."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import conversion_of, planned_devices
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule(
    "CNV-02",
    Severity.WARNING,
    "Windows conversion needs the virtio-win ISO",
    "Copy virtio-win.iso to every node and run `migrate target set TARGET --virtio-win PATH`: the run then installs "
    "the VirtIO drivers and the guest agent before the first start and the plan puts the VM on VirtIO",
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    conversion = conversion_of(vm, ctx.mappings, ctx.target)
    if not (conversion.convert and conversion.guest == "windows" and not conversion.virtio_win):
        return
    devices = planned_devices(vm, ctx.mappings, ctx.target)
    started_on = (f"starts on its safe config ({devices.boot_bus.upper()}, {devices.nic_model})"
                  if devices.kind == "windows" else "starts on VirtIO with the drivers it has")
    yield RULE.finding(f"the target names no virtio-win ISO: the guest is not converted and {started_on}, with VMware "
                       "Tools still installed and no guest agent", {"virtio_win": "not set"})
