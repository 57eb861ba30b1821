"""OS-01: without a known guest OS the ostype, drivers and every OS rule are guesses."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.guest import guest_ostype_source
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-01", Severity.INFO, "Guest OS not identified", "Set the right guest OS in vCenter or run VMware Tools; or set `ostype` for this VM in the mapping file")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    generic = (vm.guest_id or "other").startswith("other") and not vm.guest_full_name
    ostype, source = guest_ostype_source(vm, ctx.mappings)
    if generic or ostype is None:
        yield RULE.unknown("guest OS (guest id or full name)")
    elif source == "guest family":
        # An id the table does not know (misspelt, or newer than the table): the family decides, the version is a guess.
        yield RULE.finding(
            f"guest id {vm.guest_id} is not in the guest OS table: ostype {ostype} from the guest family",
            {"guest_id": vm.guest_id, "guest_family": vm.guest_family},
        )
