"""SEC-01: vTPM contents are not migrated, so keys sealed to it (BitLocker, LUKS) are lost."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("SEC-01", Severity.WARNING, "Virtual TPM", "Escrow the BitLocker recovery key (manage-bde -protectors -get C:) or add a LUKS passphrase keyslot before the move: the new tpmstate0 is empty", needs=(facts.VTPM,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.vtpm:
        yield RULE.finding("VM has a vTPM: it is recreated empty on Proxmox, its sealed secrets do not move and BitLocker will ask for the recovery key", {"vtpm": True})
