"""LZ-10: the API token lacks a privilege of the toolkit's role (or its privileges could not be read)."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity
from migrate.target.privileges import missing_privileges

RULE = Rule("LZ-10", Severity.BLOCKER, "API token lacks privileges",
            "grant the role of docs/proxmox-role.md to the user and the token on /")


def check(zone: LandingZone) -> list[Finding]:
    if not zone.snapshot.privileges_known:
        return [RULE.finding("the token's privileges could not be read (GET /access/permissions)", {})]
    missing = missing_privileges(zone.snapshot.privileges)
    if not missing:
        return []
    return [RULE.finding(f"the API token lacks {', '.join(missing)}", {"missing": missing})]
