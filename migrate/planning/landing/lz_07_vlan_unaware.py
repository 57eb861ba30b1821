"""LZ-07: a VLAN tag on a bridge that is not VLAN-aware: Proxmox refuses to start such a VM."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-07", Severity.BLOCKER, "VLAN tag on a bridge that is not VLAN-aware",
            "make the bridge VLAN-aware (bridge-vlan-aware yes, bridge-vids 2-4094) on every node")


def check(zone: LandingZone) -> list[Finding]:
    found = []
    for bridge, tags in sorted(zone.wanted_bridges().items()):
        unaware = [node for node in zone.online_nodes() if bridge in zone.snapshot.bridges_on(node)
                   and not zone.snapshot.bridges_on(node)[bridge].vlan_aware]
        if tags and unaware:
            found.append(RULE.finding(
                f"VLAN {', '.join(str(tag) for tag in sorted(tags))} tagged on bridge {bridge}, "
                f"which is not VLAN-aware on {', '.join(unaware)}",
                {"bridge": bridge, "vlans": sorted(tags), "nodes": unaware}))
    return found
