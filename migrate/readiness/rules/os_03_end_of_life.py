"""OS-03: end-of-life guests may refuse the VirtIO drivers (SHA-2 signing) or need a newer kernel."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-03", Severity.WARNING, "End-of-life guest OS", "Windows 7/2008 R2: install KB3033929 (SHA-2) first; old Linux: update the kernel; plan an OS upgrade")

_EOL_PREFIXES = (
    "windows7", "windows8", "winlonghorn", "winvista", "winnet", "winxp", "win2000", "winnt", "win9", "win31", "winme", "dos",
    "rhel2", "rhel3", "rhel4", "rhel5", "rhel6", "centos5", "centos6", "centos7", "centosguest", "centos64", "oraclelinux6",
    "sles10", "sles11", "debian4", "debian5", "debian6", "debian7", "debian8", "debian9", "redhat", "suseguest",
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    guest_id = vm.guest_id or vm.guest_id_detected
    if guest_id and guest_id.lower().startswith(_EOL_PREFIXES):
        yield RULE.finding(f"guest {guest_id} is past its vendor's end of life", {"guest_id": guest_id})
