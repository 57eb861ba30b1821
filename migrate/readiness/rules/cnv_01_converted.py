"""CNV-01 (new): the guests virt-v2v converts on the node before their first start, and what it changes."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import conversion_of
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule(
    "CNV-01",
    Severity.INFO,
    "Converted on the node before its first start",
    "Nothing: the run converts it with virt-v2v-in-place (the nodes need `apt install virt-v2v`); `convert: false` "
    "for the VM in the mapping file, or `migrate run --no-convert`, keeps it as copied",
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    conversion = conversion_of(vm, ctx.mappings, ctx.target)
    # Windows without the ISO is converted only by a run that names one: CNV-02 says so instead.
    if conversion.convert and (conversion.guest != "windows" or conversion.virtio_win):
        yield RULE.finding(conversion.changes, {"guest": conversion.guest, "virtio_win": conversion.virtio_win})
