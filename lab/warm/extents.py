"""Byte extents of a disk as (start, end) pairs, end exclusive: merging, aligning to tracked blocks, slicing."""

from __future__ import annotations

from collections.abc import Iterable

Extent = tuple[int, int]


def merge(extents: Iterable[Extent]) -> list[Extent]:
    """Sorted, non-overlapping, with touching extents joined; empty ones dropped."""
    merged: list[Extent] = []
    for start, end in sorted(e for e in extents if e[1] > e[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def align(extents: Iterable[Extent], block: int, capacity: int) -> list[Extent]:
    """Each extent widened to whole `block`s (as change tracking records whole blocks), within the disk."""
    return merge((start - start % block, min(capacity, -(-end // block) * block)) for start, end in extents)


def window(extents: Iterable[Extent], start: int, end: int) -> list[Extent]:
    """The parts of the extents that lie in [start, end)."""
    return [(max(s, start), min(e, end)) for s, e in merge(extents) if e > start and s < end]
