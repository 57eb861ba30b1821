"""Changed block tracking of one virtual disk, as ESXi keeps it in the disk's `-ctk.vmdk` file.

A change id is the tracking file's UUID and a sequence number, `52 2d 7b 8f ac 61 51 cc-77 4c 7b ec 91 50 bb
7b/4`: every snapshot taken while tracking is on records the current one and starts the next. A write is
recorded under the sequence current when it happens, in whole tracked blocks, so the areas changed between
change id k and a snapshot that recorded m are the writes recorded under k+1..m. A new tracking file (tracking
turned off and on again) has a new UUID: a change id of the old one is no longer valid.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from lab.warm.extents import Extent, align, merge

TRACKED_BLOCK = 64 * 1024
CHANGE_ID = re.compile(r"^(?P<uuid>(?:[0-9a-f]{2} ){7}[0-9a-f]{2}-(?:[0-9a-f]{2} ){7}[0-9a-f]{2})/(?P<seq>\d+)$")


class UnknownChangeId(ValueError):
    """A change id that is malformed, of another tracking file, or not issued yet."""


def new_tracking_uuid() -> str:
    """A tracking file's UUID written as vSphere writes it: 16 bytes in hex pairs, a dash after the eighth."""
    pairs = [f"{b:02x}" for b in uuid.uuid4().bytes]
    return " ".join(pairs[:8]) + "-" + " ".join(pairs[8:])


@dataclass
class DiskTracker:
    capacity: int
    block: int = TRACKED_BLOCK
    uuid: str = field(default_factory=new_tracking_uuid)
    sequence: int = 0
    writes: list[tuple[int, Extent]] = field(default_factory=list)  # (sequence, extent)

    def record(self, start: int, end: int) -> None:
        self.writes.append((self.sequence, (start, end)))

    def take_snapshot(self) -> str:
        """The change id a snapshot records; later writes belong to the next sequence."""
        change_id = f"{self.uuid}/{self.sequence}"
        self.sequence += 1
        return change_id

    def changed_between(self, change_id: str, snapshot_change_id: str | None) -> list[Extent]:
        """The areas written after `change_id` up to the snapshot that recorded `snapshot_change_id` (None: up to
        now, the disk of a VM that is off)."""
        since = self.sequence_of(change_id)
        upto = self.sequence if snapshot_change_id is None else self.sequence_of(snapshot_change_id)
        if since > upto:
            raise UnknownChangeId(change_id)
        return align((extent for seq, extent in self.writes if since < seq <= upto), self.block, self.capacity)

    def sequence_of(self, change_id: str) -> int:
        match = CHANGE_ID.match(change_id)
        if match is None or match["uuid"] != self.uuid or int(match["seq"]) >= self.sequence:
            raise UnknownChangeId(change_id)
        return int(match["seq"])


def all_areas(allocated: list[Extent], block: int, capacity: int) -> list[Extent]:
    """What `changeId="*"` answers: the allocated areas, in whole tracked blocks."""
    return align(merge(allocated), block, capacity)
