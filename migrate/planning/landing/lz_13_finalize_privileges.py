"""LZ-13: the API token lacks a privilege `migrate finalize` needs: its own role, granted for the finalize only."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity
from migrate.target.privileges import FINALIZE_ROLE_NAME, missing_finalize_privileges

# Information, not a warning: docs/proxmox-role.md advises granting this role only while a wave is finalized
# (Sys.Console also opens the nodes' consoles), so a well-run target lacks it for most of the migration.
RULE = Rule("LZ-13", Severity.INFO, "API token lacks the finalize privileges",
            f"grant the {FINALIZE_ROLE_NAME} role of docs/proxmox-role.md on / before `migrate finalize`, "
            "and remove it afterwards")


def check(zone: LandingZone) -> list[Finding]:
    if not zone.snapshot.privileges_known:
        return []  # LZ-10 says they could not be read
    missing = missing_finalize_privileges(zone.snapshot.privileges)
    if not missing:
        return []
    return [RULE.finding(f"the API token lacks {', '.join(missing)} on / that `migrate finalize` needs (the "
                         f"{FINALIZE_ROLE_NAME} role)", {"missing": missing, "role": FINALIZE_ROLE_NAME})]
