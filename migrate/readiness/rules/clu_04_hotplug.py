"""CLU-04: CPU and memory hot-add need Proxmox hotplug and NUMA settings."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("CLU-04", Severity.INFO, "CPU or memory hot-add", "After the move set hotplug=cpu,memory and numa=1 if hot-add is still needed")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.cpu_hot_add or vm.memory_hot_add:
        yield RULE.finding("CPU or memory hot-add is on", {"cpu_hot_add": vm.cpu_hot_add, "memory_hot_add": vm.memory_hot_add})
