"""OS-02: virt-v2v converts only Windows and the major Linux distributions; other guests need their drivers by hand."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.guest import guest_devices, is_freebsd
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-02", Severity.WARNING, "Guest OS without automatic conversion", "Make sure the guest has drivers for the devices of its config (virtio-scsi and VirtIO NICs) before migrating, and remove VMware Tools by hand")

_CONVERTIBLE = (
    "win", "rhel", "centos", "oraclelinux", "rocky", "alma", "fedora", "sles", "opensuse", "suse", "debian", "ubuntu", "asianux", "kylin",
)
# FreeBSD's GENERIC kernel has had virtio, virtio_blk, virtio_scsi and vtnet since 10.0: the VirtIO config boots.
_FREEBSD_REMEDY = "Nothing for the drivers (FreeBSD has VirtIO built in); remove open-vm-tools by hand after the move"


# The same by the OS name vCenter shows (all an RVTools export has), for a guest without an id.
_CONVERTIBLE_NAMES = ("windows", "red hat", "centos", "oracle linux", "rocky", "alma", "fedora", "suse", "debian",
                      "ubuntu", "asianux", "kylin")
_TOO_OLD_NAMES = ("windows 3", "windows 95", "windows 98", "windows me", "ms-dos")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    guest_id = vm.guest_id or vm.guest_id_detected
    if guest_id is None and vm.guest_full_name:
        if not _convertible_name(vm.guest_full_name.lower()):
            yield from _judge(vm, ctx, vm.guest_full_name)
        return
    if not guest_id or guest_id.startswith("other"):
        return  # OS-01 reports unidentified guests
    lowered = guest_id.lower()
    if not (lowered.startswith(("win31", "win95", "win98", "winme", "dos")) or not lowered.startswith(_CONVERTIBLE)):
        return
    yield from _judge(vm, ctx, guest_id)


def _convertible_name(name: str) -> bool:
    """Convertible, or not worth a finding: unidentified ("Other ...") guests are OS-01's."""
    if name.startswith("other"):
        return True
    return any(needle in name for needle in _CONVERTIBLE_NAMES) and not any(old in name for old in _TOO_OLD_NAMES)


def _judge(vm: Vm, ctx: RuleContext, guest_id: str) -> Iterator[Outcome]:
    devices = guest_devices(vm, ctx.mappings)
    evidence = {"guest_id": guest_id, "nic_model": devices.nic_model, "boot_bus": devices.boot_bus}
    message = f"guest {guest_id} cannot be converted automatically (no driver injection, no tools removal)"
    if not devices.is_virtio:
        yield RULE.finding(message, evidence, remedy=f"Nothing for the drivers: the config keeps emulated devices ({devices.boot_bus}, {devices.nic_model}); remove VMware Tools by hand")
    elif is_freebsd(vm):
        yield RULE.finding(f"{message}; FreeBSD boots on the VirtIO config", evidence, severity=Severity.INFO, remedy=_FREEBSD_REMEDY)
    else:
        yield RULE.finding(f"{message}; the config uses virtio-scsi and VirtIO NICs", evidence)
