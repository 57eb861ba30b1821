"""DSK-12: a Proxmox VM has one SCSI controller type, so several VMware SCSI types must be standardised."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-12", Severity.WARNING, "Several SCSI controller types", "Standardise on one controller type (pvscsi) in vSphere, or check the guest has the VirtIO SCSI driver")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    models = sorted({c.model for c in vm.controllers if c.kind == "scsi" and c.model})
    if len(models) > 1:
        yield RULE.finding(f"VM mixes SCSI controller types {', '.join(models)}", {"controllers.model": models})
