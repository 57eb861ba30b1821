"""FW-02: OVMF has no LSI Logic driver, so an EFI guest on an LSI controller must change its boot controller."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import planned_devices
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("FW-02", Severity.WARNING, "EFI guest on an LSI Logic controller", "Make sure the guest has a VirtIO SCSI driver before the move (Linux has it; Windows needs virtio-win)")

_LSI = {"lsilogic", "lsilogic-sas"}
_INBOX = {"sata": "SATA (AHCI)", "ide": "IDE"}


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.firmware != "efi":
        return
    models = sorted({c.model for c in vm.controllers if c.model in _LSI})
    if not models:
        return
    devices = planned_devices(vm, ctx.mappings, ctx.target)
    evidence = {"controllers.model": models, "boot_bus": devices.boot_bus}
    message = f"EFI guest boots from {', '.join(models)}, which OVMF cannot drive"
    if devices.boot_bus in _INBOX:
        # The config already boots from a bus OVMF and the guest's own inbox driver handle: nothing to prepare.
        bus = _INBOX[devices.boot_bus]
        yield RULE.finding(
            f"{message}; the config boots from {bus}, which OVMF and the guest's inbox driver handle",
            evidence, severity=Severity.INFO,
            remedy=f"Nothing before the move: the config boots from {bus}; VirtIO SCSI only after its driver is installed",
        )
    else:
        yield RULE.finding(f"{message}; the config boots from {devices.scsihw}", evidence)
