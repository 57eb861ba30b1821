"""LZ-05: a node above 90 % of its memory once the planned VMs that are not created yet are placed."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.planning.model import GIB
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-05", Severity.WARNING, "Node memory above 90% after placement",
            "add nodes or memory, or move VMs to a later wave")


def check(zone: LandingZone) -> list[Finding]:
    nodes = zone.snapshot.nodes
    used = {node.name: node.memory_used for node in nodes}
    for vm in zone.not_created():
        if vm.node in used:
            used[vm.node] += vm.memory_mib * 1024**2
    found = []
    for node in nodes:
        if node.memory_total and used[node.name] > node.memory_total * zone.settings.memory_limit:
            share = used[node.name] / node.memory_total
            found.append(RULE.finding(
                f"node {node.name} would use {share:.0%} of its {node.memory_total / GIB:.0f} GiB of memory",
                {"node": node.name, "used_after": used[node.name], "total": node.memory_total}))
    return found
