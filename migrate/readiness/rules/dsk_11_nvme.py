"""DSK-11: NVMe disks become SCSI disks on Proxmox, so the guest needs a SCSI driver to boot."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-11", Severity.WARNING, "NVMe disk", "Make sure the guest has a VirtIO SCSI driver before the move, especially for the boot disk")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    labels = [disk.label for disk in vm.disks if disk.controller_kind == "nvme"]
    if labels:
        yield RULE.finding(f"{len(labels)} disk(s) on NVMe become VirtIO SCSI", {"disks.controller_kind=nvme": labels})
