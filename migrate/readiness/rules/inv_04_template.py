"""INV-04: a template is copied as a Proxmox template, not as a VM to start."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("INV-04", Severity.INFO, "Template", "Convert it to a Proxmox template after the copy (qm template)")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.template:
        yield RULE.finding("VM is a template", {"template": True})
