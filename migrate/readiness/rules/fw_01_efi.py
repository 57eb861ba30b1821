"""FW-01: EFI guests get OVMF and a new EFI vars disk; the NVRAM boot entries do not move.

An unknown firmware is reported as unknown: mapping an EFI guest to SeaBIOS gives a VM that does not boot.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("FW-01", Severity.INFO, "EFI firmware", "Nothing before; after the first boot, check the boot order in the OVMF menu if the disk does not boot")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.firmware is None:
        yield RULE.unknown("firmware (BIOS or EFI)")
    elif vm.firmware == "efi":
        yield RULE.finding("EFI guest: bios ovmf, machine q35 and a new efidisk0; NVRAM boot entries are not copied", {"firmware": "efi"})
