"""What keeps a source VM's disks from being copied as they are: read by preflight and by readiness alike.

The copy reads each disk's base file. A snapshot's newer data sits in delta files the copy never reads, and
a VM that needs consolidation has such deltas left over: either way the copy would lose data. Preflight
(`migrate.execution.steps.preflight`) refuses such a VM; readiness (DSK-08, DSK-09) must call it Not ready
for the same reason, so both read `copy_refusals` and cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SNAPSHOTS = "DSK-08"
CONSOLIDATION = "DSK-09"


@dataclass(frozen=True, slots=True)
class CopyRefusal:
    """Why the source cannot be copied now (`reason`, after the VM's name) and what to do in vSphere (`fix`)."""

    rule_id: str
    reason: str
    fix: str


def copy_refusals(snapshots: Sequence[str], consolidation_needed: bool | None) -> list[CopyRefusal]:
    """The refusals for a VM with these snapshot names and consolidation flag (None: not known, no refusal)."""
    refusals = []
    if snapshots:
        names = ", ".join(repr(name) for name in snapshots)
        refusals.append(CopyRefusal(
            SNAPSHOTS, f"has {len(snapshots)} snapshot(s) ({names}) and the copy reads only the base disks",
            "delete or consolidate the snapshots in vSphere"))
    if consolidation_needed:
        refusals.append(CopyRefusal(
            CONSOLIDATION, "needs its disks consolidated (leftover snapshot deltas)",
            "run Snapshots > Consolidate in vSphere"))
    return refusals
