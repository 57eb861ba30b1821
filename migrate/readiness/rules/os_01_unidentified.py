"""OS-01: without a known guest OS the ostype, drivers and every OS rule are guesses."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.guest import guest_ostype
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-01", Severity.INFO, "Guest OS not identified", "Set the right guest OS in vCenter or run VMware Tools; or set `ostype` for this VM in the mapping file")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    generic = (vm.guest_id or "other").startswith("other") and not vm.guest_full_name
    if generic or guest_ostype(vm, ctx.mappings) is None:
        yield RULE.unknown("guest OS (guest id or full name)")
