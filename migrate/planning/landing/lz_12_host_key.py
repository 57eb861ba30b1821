"""LZ-12: an online node whose SSH host key is not in the target's known_hosts: the executor would refuse it.

Checked only when the target names a known_hosts file.
"""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-12", Severity.WARNING, "Node's SSH host key not in known_hosts",
            "add the node's key from /etc/ssh/ssh_host_ed25519_key.pub (checked out of band, not by ssh-keyscan) "
            "to the target's known_hosts file")


def check(zone: LandingZone) -> list[Finding]:
    known_hosts = zone.known_hosts
    if known_hosts is None:
        return []
    found = []
    for node in zone.snapshot.nodes:
        if not node.online:
            continue
        reached = zone.ssh_addresses.get(node.name)
        if reached is not None:
            known = known_hosts.knows(reached.host, reached.port)
            where = f"{node.name} (reached at {reached})"
        else:
            known = any(known_hosts.knows(name) for name in (node.name, node.address) if name)
            where = f"{node.name} ({node.address})" if node.address else node.name
        if not known:
            found.append(RULE.finding(f"no host key for node {where} in {known_hosts.path}: the executor would refuse it",
                                      {"node": node.name, "address": str(reached) if reached else node.address,
                                       "known_hosts": known_hosts.path}))
    return found
