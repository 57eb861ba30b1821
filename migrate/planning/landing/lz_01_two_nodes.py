"""LZ-01: a two-node cluster without a QDevice loses quorum with either node."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-01", Severity.BLOCKER, "Two-node cluster without a QDevice",
            "add a QDevice: apt install corosync-qnetd on a third machine, then `pvecm qdevice setup <ip>`")


def check(zone: LandingZone) -> list[Finding]:
    snapshot = zone.snapshot
    if snapshot.node_count != 2 or snapshot.qdevice:
        return []
    return [RULE.finding(f"{snapshot.target} has 2 nodes and no QDevice: losing one node stops the other",
                         {"nodes": 2, "qdevice": False})]
