"""DRV-02 (new): RHEL-family and SLES guests installed on VMware build a host-only initramfs without virtio_scsi."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import conversion_of, planned_devices
from migrate.mapping.guest import boot_controller_model, has_host_only_initramfs, has_virtio_drivers
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule(
    "DRV-02",
    Severity.WARNING,
    "Host-only initramfs may lack the VirtIO drivers",
    'Run `dracut -f --add-drivers "virtio_scsi virtio_blk virtio_pci virtio_net"` in the guest before the move (or '
    "let the run convert it), then set `virtio_drivers: true` for the VM",
)
_CONVERTED_REMEDY = ("Nothing while the run converts it; a run that does not (`--no-convert`) starts it on its safe "
                     "config, then run `dracut -f --add-drivers \"virtio_scsi virtio_blk virtio_pci virtio_net\"` "
                     "in the guest and set `virtio_drivers: true` for the VM")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if not has_host_only_initramfs(vm) or has_virtio_drivers(vm, ctx.mappings):
        return
    devices = planned_devices(vm, ctx.mappings, ctx.target)
    evidence = {"guest_id": vm.guest_id or vm.guest_full_name, "boot_controller": boot_controller_model(vm)}
    if conversion_of(vm, ctx.mappings, ctx.target).brings_virtio:
        yield RULE.finding(
            "the conversion adds virtio_scsi, virtio_blk, virtio_pci and virtio_net to the initramfs before the "
            "first start: the config boots from virtio-scsi at once",
            evidence, severity=Severity.INFO, remedy=_CONVERTED_REMEDY,
        )
    elif devices.kind == "initramfs":
        # The config boots on the controller the initramfs has a driver for: nothing breaks, VirtIO waits.
        yield RULE.finding(
            f"boot disk kept on {devices.boot_bus} ({devices.scsihw}), which the initramfs has a driver for; "
            "VirtIO only after the drivers are added",
            evidence, severity=Severity.INFO,
        )
    elif devices.is_virtio:
        yield RULE.finding(
            "the config boots from virtio-scsi, which a host-only initramfs may not hold: the guest would stop in the "
            "dracut emergency shell",
            evidence,
        )
