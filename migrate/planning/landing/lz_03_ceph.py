"""LZ-03: Ceph that is not HEALTH_OK (a warning for HEALTH_WARN, a blocker for worse)."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-03", Severity.BLOCKER, "Ceph is not HEALTH_OK",
            "fix Ceph first (`ceph health detail`); never land VMs on a degraded pool")


def check(zone: LandingZone) -> list[Finding]:
    health = zone.snapshot.ceph_health
    if health in (None, "HEALTH_OK"):
        return []
    severity = Severity.WARNING if health == "HEALTH_WARN" else Severity.BLOCKER
    return [RULE.finding(f"Ceph reports {health}", {"ceph_health": health}, severity=severity)]
