"""LZ-07: a VLAN tag or a trunk on a bridge that is not VLAN-aware: Proxmox refuses to start such a VM."""

from __future__ import annotations

from migrate.planning.landing.zone import BridgeUse, LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-07", Severity.BLOCKER, "VLAN tag on a bridge that is not VLAN-aware",
            "make the bridge VLAN-aware (bridge-vlan-aware yes, bridge-vids 2-4094) on every node")


def check(zone: LandingZone) -> list[Finding]:
    found = []
    for bridge, use in sorted(zone.wanted_bridges().items()):
        unaware = [node for node in zone.online_nodes() if bridge in zone.snapshot.bridges_on(node)
                   and not zone.snapshot.bridges_on(node)[bridge].vlan_aware]
        if use.tagged and unaware:
            found.append(RULE.finding(
                f"{_tagging(use)} on bridge {bridge}, which is not VLAN-aware on {', '.join(unaware)}",
                {"bridge": bridge, "vlans": sorted(use.vlans), "trunks": sorted(use.trunks), "nodes": unaware}))
    return found


def _tagging(use: BridgeUse) -> str:
    parts = []
    if use.vlans:
        parts.append(f"VLAN {', '.join(str(tag) for tag in sorted(use.vlans))} tagged")
    if use.trunks:
        parts.append(f"trunk {', '.join(sorted(use.trunks))} carried")
    return " and ".join(parts)
