"""DSK-11: Proxmox has no NVMe bus, so NVMe disks move to the buses of the config; VirtIO SCSI needs a driver."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import planned_devices
from migrate.mapping.guest import ordered_disks
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-11", Severity.WARNING, "NVMe disk", "Make sure the guest has a VirtIO SCSI driver before the move, especially for the boot disk")

_BUS_NAMES = {"scsi": "SCSI", "sata": "SATA", "ide": "IDE"}


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    devices = planned_devices(vm, ctx.mappings, ctx.target)
    moved = [(disk.label, devices.boot_bus if index == 0 else devices.other_bus)
             for index, disk in enumerate(ordered_disks(vm)) if disk.controller_kind == "nvme"]
    if not moved:
        return
    labels = [label for label, _ in moved]
    evidence = {"disks.controller_kind=nvme": labels, "scsihw": devices.scsihw}
    on_virtio = [label for label, bus in moved if bus == "scsi" and devices.scsihw.startswith("virtio-scsi")]
    where = ", ".join(f"{label} on {_BUS_NAMES[bus]}" for label, bus in moved)
    if on_virtio:
        yield RULE.finding(f"{len(labels)} disk(s) on NVMe move to the config's buses ({where}; SCSI is {devices.scsihw})", evidence)
    else:
        # The config keeps them on a bus the guest has an inbox driver for (Windows without proof, legacy guests).
        yield RULE.finding(f"{len(labels)} disk(s) on NVMe move to the config's buses ({where}), which the guest's inbox drivers handle",
                           evidence, severity=Severity.INFO, remedy="Nothing before the move: no VirtIO driver is needed for these disks")
