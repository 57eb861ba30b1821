"""NET-07 (new): FreeBSD names interfaces after their driver, so vmx0 or em0 becomes vtnet0 and rc.conf misses it."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.guest import freebsd_nic_renames
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule(
    "NET-07",
    Severity.WARNING,
    "FreeBSD interface renamed",
    "Rename ifconfig_vmx0 (or ifconfig_em0) to ifconfig_vtnet0 in /etc/rc.conf, and any other use of the old name "
    "(pf.conf, services), before the cutover",
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    renames = freebsd_nic_renames(vm, ctx.mappings)
    if renames:
        text = ", ".join(f"{old} -> {new}" for old, new in renames)
        yield RULE.finding(
            f"the NIC model changes, so the interfaces are renamed: {text}",
            {"renames": [f"{old}->{new}" for old, new in renames]},
            remedy=f"Rename {', '.join(f'ifconfig_{old} to ifconfig_{new}' for old, new in renames)} in /etc/rc.conf "
            "(and the old names in pf.conf or other services) before the cutover",
        )
