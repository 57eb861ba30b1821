"""FW-02: OVMF has no LSI Logic driver, so an EFI guest on an LSI controller must change its boot controller."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("FW-02", Severity.WARNING, "EFI guest on an LSI Logic controller", "Make sure the guest has a VirtIO SCSI driver before the move (Linux has it; Windows needs virtio-win)")

_LSI = {"lsilogic", "lsilogic-sas"}


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.firmware != "efi":
        return
    models = sorted({c.model for c in vm.controllers if c.model in _LSI})
    if models:
        yield RULE.finding(f"EFI guest boots from {', '.join(models)}, which OVMF cannot drive", {"controllers.model": models})
