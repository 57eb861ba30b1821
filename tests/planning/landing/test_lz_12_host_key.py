"""LZ-12 and the known_hosts it reads: plain names, ports, hashed entries, markers."""

from __future__ import annotations

import base64
import hashlib
import hmac

from migrate.target.known_hosts import parse_known_hosts
from migrate.planning.landing import lz_12_host_key as rule
from migrate.planning.landing.zone import LandingZone
from migrate.target.privileges import REQUIRED_PRIVILEGES
from tests.factories import make_snapshot

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9Bzjx0FlDqD0EGeXkEhJ4n9bVj0G0A9I0yI1yqv5T"


def _hashed(name: str, salt: bytes = b"0123456789abcdefghij") -> str:
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()} {KEY}"


def test_plain_hashed_and_port_entries_are_known_and_markers_are_not():
    text = "\n".join([
        f"pve1,192.0.2.11 {KEY}", f"[pve2]:2222 {KEY}", _hashed("pve3"), f"@revoked pve4 {KEY}", "# pve5", "",
    ])
    hosts = parse_known_hosts(text)
    assert hosts.knows("pve1") and hosts.knows("192.0.2.11") and hosts.knows("pve2", 2222) and hosts.knows("pve3")
    assert not hosts.knows("pve2") and not hosts.knows("pve4") and not hosts.knows("pve5")


def test_a_node_missing_from_known_hosts_is_a_finding():
    snapshot = make_snapshot(nodes=3, privileges=REQUIRED_PRIVILEGES)
    hosts = parse_known_hosts(f"pve1 {KEY}\n{_hashed('pve3')}\n", "/etc/migrate/known_hosts")
    [finding] = rule.check(LandingZone(snapshot, known_hosts=hosts))
    assert finding.rule_id == "LZ-12" and finding.message.startswith("no host key for node pve2 in /etc/migrate/known_hosts")


def test_without_a_known_hosts_file_no_node_is_judged():
    assert rule.check(LandingZone(make_snapshot(nodes=3, privileges=REQUIRED_PRIVILEGES))) == []
