"""LZ-11: a node that is offline receives no VMs and leaves the cluster without its capacity."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-11", Severity.WARNING, "Node offline", "bring the node back or remove it from the cluster")


def check(zone: LandingZone) -> list[Finding]:
    return [RULE.finding(f"node {node.name} is offline", {"node": node.name})
            for node in zone.snapshot.nodes if not node.online]
