"""The copy speed a plan assumes, and where it came from.

In order: the plan command's `--throughput` (the consultant's figure for this plan only); the median rate of the
disks earlier runs copied onto the target (bytes moved over the copy's time, read from the journal), once there
is one; the target's own setting (`migrate target set NAME --throughput-mib-s N`); else the default.
A copy shorter than MIN_SECONDS is left out of the median: its fixed costs (opening the source over HTTPS,
reading headers) swamp the rate.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.execution_models import MigrationRun, StepRun, StepStatus
from migrate.db.plan_models import PlanRecord, Target, Wave
from migrate.planning.model import DEFAULT_THROUGHPUT_MIB_S, MIB

MIN_SECONDS = 1.0


@dataclass(frozen=True)
class Throughput:
    mib_s: float
    source: str  # option, measured, target, default
    measured_copies: int = 0

    def describe(self) -> str:
        """How the plan output names it: `100 MiB/s per VM (default)`."""
        why = {"option": "--throughput", "target": "the target's setting", "default": "default",
               "measured": f"median of {self.measured_copies} measured copies on this target"}[self.source]
        return f"{self.mib_s:g} MiB/s per VM ({why})"


def choose_throughput(option: float | None, measured: Sequence[float], target_setting: float | None) -> Throughput:
    """The throughput to plan with, from the sources in order (see the module's docstring)."""
    if option is not None:
        return Throughput(option, "option")
    if measured:
        return Throughput(round(statistics.median(measured), 1), "measured", len(measured))
    if target_setting is not None:
        return Throughput(target_setting, "target")
    return Throughput(DEFAULT_THROUGHPUT_MIB_S, "default")


def measured_rates(session: Session, target: Target) -> list[float]:
    """MiB/s of every disk copy (of at least MIN_SECONDS) that runs of waves planned onto `target` finished."""
    waves = select(Wave.number).join(PlanRecord, PlanRecord.wave_id == Wave.id).where(PlanRecord.target_id == target.id)
    query = (select(StepRun.detail).join(MigrationRun, MigrationRun.id == StepRun.run_id)
             .where(StepRun.step == "copy_disk", StepRun.status.in_((StepStatus.DONE, StepStatus.UNDONE)),
                    MigrationRun.wave.in_(waves)))
    rates = []
    for (detail,) in session.execute(query):
        moved, seconds = (detail or {}).get("moved_bytes"), float((detail or {}).get("seconds") or 0)
        # A cutover's final pass copies scattered areas, not a disk's stream: its rate says nothing of a copy's.
        if moved and seconds >= MIN_SECONDS and (detail or {}).get("final_pass") is None:
            rates.append(moved / MIB / seconds)
    return rates


def target_throughput(session: Session, target: Target, option: float | None = None) -> Throughput:
    """The throughput for a plan onto `target`."""
    return choose_throughput(option, measured_rates(session, target), target.throughput_mib_s)
