"""OS-02: virt-v2v converts only Windows and the major Linux distributions; other guests need their drivers by hand."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import convertible, planned_devices
from migrate.mapping.guest import is_freebsd
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-02", Severity.WARNING, "Guest OS without automatic conversion", "Make sure the guest has drivers for the devices of its config (virtio-scsi and VirtIO NICs) before migrating, and remove VMware Tools by hand")

# FreeBSD's GENERIC kernel has had virtio, virtio_blk, virtio_scsi and vtnet since 10.0: the VirtIO config boots.
_FREEBSD_REMEDY = "Nothing for the drivers (FreeBSD has VirtIO built in); remove open-vm-tools by hand after the move"


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    # The matrix the conversion itself reads (mapping/conversion.py), so that the finding and the plan agree;
    # unidentified ("Other ...") guests are OS-01's.
    if convertible(vm) is False:
        yield from _judge(vm, ctx, vm.guest_id or vm.guest_id_detected or vm.guest_full_name or "unknown")


def _judge(vm: Vm, ctx: RuleContext, guest_id: str) -> Iterator[Outcome]:
    devices = planned_devices(vm, ctx.mappings, ctx.target)
    evidence = {"guest_id": guest_id, "nic_model": devices.nic_model, "boot_bus": devices.boot_bus}
    message = f"guest {guest_id} cannot be converted automatically (no driver injection, no tools removal)"
    if not devices.is_virtio:
        yield RULE.finding(message, evidence, remedy=f"Nothing for the drivers: the config keeps emulated devices ({devices.boot_bus}, {devices.nic_model}); remove VMware Tools by hand")
    elif is_freebsd(vm):
        yield RULE.finding(f"{message}; FreeBSD boots on the VirtIO config", evidence, severity=Severity.INFO, remedy=_FREEBSD_REMEDY)
    else:
        yield RULE.finding(f"{message}; the config uses virtio-scsi and VirtIO NICs", evidence)
