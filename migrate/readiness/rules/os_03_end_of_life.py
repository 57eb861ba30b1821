"""OS-03: end-of-life guests may refuse the VirtIO drivers (SHA-2 signing) or need a newer kernel."""

from __future__ import annotations

import re
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


# The same guests by the OS name vCenter shows (all an RVTools export has): "CentOS 7 (64-bit)".
_EOL_NAMES = re.compile(
    r"windows (7|8|vista|xp|2000|nt|95|98|me|3\.1)\b|windows server (2003|2008|2012)|ms-dos"
    r"|red hat enterprise linux [2-6]\b|centos [4-7]\b|centos 4/5|oracle linux [4-6]\b|suse linux enterprise 1[01]\b"
    r"|debian gnu/linux [4-9]\b"
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    guest_id = vm.guest_id or vm.guest_id_detected
    if guest_id and guest_id.lower().startswith(_EOL_PREFIXES):
        yield RULE.finding(f"guest {guest_id} is past its vendor's end of life", {"guest_id": guest_id})
    elif not guest_id and (name := _eol_name(vm)):
        yield RULE.finding(f"guest {name} is past its vendor's end of life", {"guest_full_name": name})


def _eol_name(vm: Vm) -> str | None:
    return next((name for name in (vm.guest_full_name, vm.guest_full_name_detected)
                 if name and _EOL_NAMES.search(name.lower())), None)
