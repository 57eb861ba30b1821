"""LZ-02: a cluster without quorum cannot create or start VMs."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-02", Severity.BLOCKER, "Cluster has lost quorum",
            "restore the cluster network or the missing nodes (`pvecm status`) before migrating")


def check(zone: LandingZone) -> list[Finding]:
    if zone.snapshot.quorate:
        return []
    return [RULE.finding(f"{zone.snapshot.target} is not quorate: VMs cannot be created or started", {"quorate": False})]
