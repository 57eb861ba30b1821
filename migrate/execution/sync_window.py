"""Sync windows (`migrate sync --window 22:00-06:00`): the local hours in which a warm copy may read the source's
datastores. Outside them a pass waits: before its snapshot (so that no snapshot is held while it waits to begin),
and between batches of areas or before a disk's whole copy once it has begun (the issue's "pause between extents";
its snapshot then stays while it waits, and its delta grows with the guest's writes).

A window is pure data; `Gate` is what a pass calls before each piece of work: it waits until the window is open and
returns the seconds it waited, which the pass journals per disk (`paused_seconds`) and `migrate sync` shows.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time as clock, timedelta

from migrate.errors import UsageError

log = logging.getLogger(__name__)

_WINDOW = re.compile(r"^(?P<h1>[01]?\d|2[0-3]):(?P<m1>[0-5]\d)-(?P<h2>[01]?\d|2[0-3]):(?P<m2>[0-5]\d)$")
POLL = 30.0  # the longest sleep while paused: a Ctrl-C, or the window opening, is seen within it


@dataclass(frozen=True)
class SyncWindow:
    start: clock
    end: clock  # before start: the window spans midnight

    @property
    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def is_open(self, moment: datetime) -> bool:
        now = moment.time().replace(second=0, microsecond=0)
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def opens(self, moment: datetime) -> datetime:
        """When the window next opens after `moment` (which is outside it)."""
        at = moment.replace(hour=self.start.hour, minute=self.start.minute, second=0, microsecond=0)
        return at if at > moment else at + timedelta(days=1)


def parse_window(text: str) -> SyncWindow:
    """`22:00-06:00` (local time; an end before the start spans midnight); a UsageError names anything else."""
    found = _WINDOW.match(text.strip())
    if found is None or (found["h1"], found["m1"]) == (found["h2"], found["m2"]):
        raise UsageError(f"--window {text}: give the local hours a sync may read in as HH:MM-HH:MM, such as "
                         "22:00-06:00 (a window that spans midnight ends before it starts)")
    return SyncWindow(clock(int(found["h1"]), int(found["m1"])), clock(int(found["h2"]), int(found["m2"])))


@dataclass
class Gate:
    """Waits, before a piece of a pass's work, until the window is open; counts what it waited."""

    window: SyncWindow | None = None
    what: str = ""  # who waits, for the log: "db-01 pass 3"
    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())
    sleep: Callable[[float], None] = time.sleep
    paused: float = 0.0

    def __call__(self) -> float:
        """Wait until the window is open; the seconds waited (0 when it is open, or there is none)."""
        if self.window is None or self.window.is_open(self.now()):
            return 0.0
        opens = self.window.opens(self.now())
        log.warning("%s: paused outside the sync window %s until %s", self.what, self.window.text,
                    opens.isoformat(timespec="minutes"))
        waited = 0.0
        while not self.window.is_open(moment := self.now()):
            step = min(POLL, max(1.0, (self.window.opens(moment) - moment).total_seconds()))
            self.sleep(step)
            waited += step
        self.paused += waited
        return waited
