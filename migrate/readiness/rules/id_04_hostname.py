"""ID-04: a guest without a real hostname is hard to check after the move."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("ID-04", Severity.INFO, "Guest hostname empty or default", "Set a real hostname in the guest")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.hostname is not None and vm.hostname.strip() in ("", "localhost", "localhost.localdomain"):
        yield RULE.finding(f"guest hostname is {vm.hostname!r}", {"hostname": vm.hostname})
