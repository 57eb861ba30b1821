"""ID-03: keeping the SMBIOS UUID keeps Windows activation and licences tied to it."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("ID-03", Severity.INFO, "SMBIOS UUID kept", "Nothing: the config sets smbios1 uuid to the VMware BIOS UUID")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.bios_uuid:
        yield RULE.finding(f"SMBIOS UUID {vm.bios_uuid} is kept", {"bios_uuid": vm.bios_uuid})
