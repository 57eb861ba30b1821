"""OS-05: RHEL 9 and later refuse to boot below x86-64-v2 (v3 for RHEL 10), so the CPU type matters."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-05", Severity.INFO, "Guest needs a minimum CPU level", "Keep cpu at x86-64-v2-AES or higher (x86-64-v3 for RHEL 10), or host")

_LEVELS = {
    "rhel9_64Guest": "x86-64-v2", "centos9_64Guest": "x86-64-v2", "oracleLinux9_64Guest": "x86-64-v2",
    "rhel10_64Guest": "x86-64-v3", "oracleLinux10_64Guest": "x86-64-v3",
}


# The same by the OS name (all an RVTools export has): "Red Hat Enterprise Linux 9 (64-bit)".
_LEVEL_NAMES = re.compile(r"(enterprise linux|centos stream|rocky linux|almalinux|oracle linux) (9|10)\b")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    guest_id = vm.guest_id or vm.guest_id_detected
    if guest_id in _LEVELS:
        yield RULE.finding(f"guest {guest_id} needs at least {_LEVELS[guest_id]}", {"guest_id": guest_id})
    elif guest_id is None and vm.guest_full_name and (found := _LEVEL_NAMES.search(vm.guest_full_name.lower())):
        level = "x86-64-v3" if found.group(2) == "10" else "x86-64-v2"
        yield RULE.finding(f"guest {vm.guest_full_name} needs at least {level}", {"guest_full_name": vm.guest_full_name})
