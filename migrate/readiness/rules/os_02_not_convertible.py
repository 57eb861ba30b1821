"""OS-02: virt-v2v converts only Windows and the major Linux distributions; others keep emulated devices."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-02", Severity.WARNING, "Guest OS without automatic conversion", "Keep emulated devices (e1000, SATA) or install VirtIO drivers by hand before migrating")

_CONVERTIBLE = (
    "win", "rhel", "centos", "oraclelinux", "rocky", "alma", "fedora", "sles", "opensuse", "suse", "debian", "ubuntu", "asianux", "kylin",
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    guest_id = vm.guest_id or vm.guest_id_detected
    if not guest_id or guest_id.startswith("other"):
        return  # OS-01 reports unidentified guests
    lowered = guest_id.lower()
    if lowered.startswith(("win31", "win95", "win98", "winme", "dos")) or not lowered.startswith(_CONVERTIBLE):
        yield RULE.finding(f"guest {guest_id} cannot be converted automatically (no driver injection, no tools removal)", {"guest_id": guest_id})
