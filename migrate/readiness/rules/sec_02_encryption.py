"""SEC-02: vSphere VM Encryption makes disks unreadable without the KMS keys."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("SEC-02", Severity.BLOCKER, "Encrypted VM or disk", "Decrypt in vSphere (apply a storage policy without encryption) before migrating", needs=(facts.ENCRYPTION,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.encryption_key_id:
        yield RULE.finding("VM is encrypted with vSphere VM Encryption", {"encryption_key_id": vm.encryption_key_id})
    for disk in vm.disks:
        if disk.key_id and disk.key_id != vm.encryption_key_id:
            yield RULE.finding(f"disk {disk.label} is encrypted", {f"disks[{disk.label}].key_id": disk.key_id})
