"""The wave's timeline: when each VM is expected to start and finish, and the go/no-go points around them.

The times replay `migrate run`'s parallelism (`migrate.planning.schedule`) with the plan's estimated downtimes;
they are clock times from `--window-start`, else offsets from the wave's start (`T+1:05`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from migrate.planning.model import Plan, PlannedVm
from migrate.planning.schedule import plan_schedule

GO_NO_GO_BEFORE = 3600  # the last go/no-go is an hour before the window, when a postponement is still cheap


@dataclass(frozen=True)
class Entry:
    """One VM in the timeline: its place in the runbook, and its estimated start and end."""

    number: int
    vm: PlannedVm
    start: str
    end: str


@dataclass(frozen=True)
class GoNoGo:
    when: str
    decision: str


@dataclass(frozen=True)
class Timeline:
    window_start: str | None  # as the operator gave it, or None: times are offsets from T+0
    entries: list[Entry]
    go_no_go: list[GoNoGo]
    end: str


def timeline(plan: Plan, window_start: datetime | None = None) -> Timeline:
    """The VMs in the order the run starts them, with their times and the go/no-go points."""
    slots = plan_schedule(plan)

    def at(seconds: int) -> str:
        return clock(window_start, seconds)

    entries = [Entry(number, slot.vm, at(slot.start), at(slot.end)) for number, slot in enumerate(slots, start=1)]
    last = max((slot.end for slot in slots), default=0)
    points = [GoNoGo(at(-GO_NO_GO_BEFORE), "the pre-checks (section 1) are done and the owners reachable: start the wave, or postpone it")]
    first_end = min((slot.end for slot in slots), default=0)
    if any(slot.start >= first_end for slot in slots):  # some VMs start only after the first one is back
        points.append(GoNoGo(at(first_end), "the first VM back is confirmed by its owner: go on with the next ones, or stop and roll it back"))
    points.append(GoNoGo(at(last), "every VM is validated (section 5): keep the wave, or roll back (section 7) before the window closes"))
    when = window_start.strftime("%Y-%m-%d %H:%M") if window_start else None
    return Timeline(when, entries, points, at(last))


def clock(window_start: datetime | None, seconds: int) -> str:
    """`2026-12-12 23:05` from the window's start, else `T+1:05` (`T-1:00` before it); minutes rounded down."""
    if window_start is not None:
        return (window_start + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M")
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"T{sign}{hours}:{minutes:02d}"
