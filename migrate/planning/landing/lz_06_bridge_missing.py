"""LZ-06: a mapped or planned bridge missing on an online node (a blocker when it is missing on all of them)."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-06", Severity.WARNING, "Mapped bridge missing on a node",
            "create the bridge on every node (same name) so VMs can run and fail over anywhere")


def check(zone: LandingZone) -> list[Finding]:
    online = zone.online_nodes()
    found = []
    for bridge in sorted(zone.wanted_bridges()):
        missing = [node for node in online if bridge not in zone.snapshot.bridges_on(node)]
        if missing:
            severity = Severity.BLOCKER if len(missing) == len(online) else Severity.WARNING
            found.append(RULE.finding(f"bridge {bridge} is missing on {', '.join(missing)}",
                                      {"bridge": bridge, "nodes": missing}, severity=severity))
    return found
