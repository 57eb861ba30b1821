"""CLU-03: CPU affinity and VM-host rules are dropped."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("CLU-03", Severity.WARNING, "CPU affinity or VM-host rule", "Re-create the placement on Proxmox (HA node affinity, affinity= CPU list)", needs=(facts.CPU_AFFINITY, facts.CLUSTER_RULES))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if vm.cpu_affinity:
        yield RULE.finding(f"VM is pinned to CPUs {vm.cpu_affinity}", {"cpu_affinity": vm.cpu_affinity})
    rules = ctx.vm_host_rules.get(vm.name)
    if rules:
        yield RULE.finding(f"VM is in VM-host rule(s) {', '.join(rules)}", {"cluster.rules": list(rules)})
