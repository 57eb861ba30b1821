"""A running copy's progress in the journal, so that `migrate status` in another process sees it live.

Saved into the started copy_disk StepRun's detail when the copy moved on by STEP of the disk or SECONDS
have passed since the last save (whichever first): a long copy writes a few dozen small updates per disk,
never one per qemu-img line, and each is a short commit of the copy's own session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from migrate.db.base import utcnow

STEP = 0.05
SECONDS = 5.0


@dataclass
class CopyProgress:
    """Called with each fraction (0..1) the copy reports; saves {fraction, bytes_done, size, bytes_per_second,
    updated_at} through `save` when it is due. The speed is the one since the last save: the current one."""

    size: int
    save: Callable[[dict[str, Any]], None]
    clock: Callable[[], float] = time.monotonic
    _last: tuple[float, float] = field(init=False)  # (fraction, clock) of the last save, or of the start

    def __post_init__(self) -> None:
        self._last = (0.0, self.clock())

    def __call__(self, fraction: float) -> None:
        now = self.clock()
        last_fraction, last_time = self._last
        # The epsilon: 0.15 - 0.10 is a little less than 0.05 in binary floating point.
        if fraction <= last_fraction or (fraction - last_fraction < STEP - 1e-9 and now - last_time < SECONDS):
            return
        seconds = now - last_time
        speed = (fraction - last_fraction) * self.size / seconds if seconds > 0 else None
        self.save({"fraction": round(fraction, 4), "bytes_done": int(fraction * self.size), "size": self.size,
                   "bytes_per_second": round(speed) if speed else None, "updated_at": utcnow().isoformat()})
        self._last = (fraction, now)
