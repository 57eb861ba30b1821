"""Rendering what a discovery changed."""

from __future__ import annotations

from typing import IO

from migrate.cli.render import printable
from migrate.inventory.store import ChangeSummary
from migrate.words import counted

DISCOVER_LIMIT = 20  # beyond this many names per kind, a count says the rest
ROW_HEADERS = ("vm", "change", "field", "old", "new")


def summary(stream: IO[str], changes: ChangeSummary, limit: int | None = DISCOVER_LIMIT) -> None:
    """The counts, then the VMs added (+), removed (-) and changed (~), up to `limit` of each."""
    counts = changes.counts
    if changes.previous_run_id is None:
        stream.write(f"first discovery of {printable(changes.source)}: {counted(counts['added'], 'VM')} recorded\n")
        return
    stream.write(f"changes since the previous discovery: {counts['added']} added, "
                 f"{counts['changed']} changed, {counts['removed']} removed\n")
    _names(stream, "+", changes.added, limit)
    _names(stream, "-", changes.removed, limit)
    for name, fields in changes.changed[:limit]:
        described = ", ".join(f"{f['field']} {printable(f['old'])} -> {printable(f['new'])}" for f in fields[:5])
        more = f", and {len(fields) - 5} more fields" if len(fields) > 5 else ""
        stream.write(f"  ~ {printable(name)}: {described}{more}\n")
    _more(stream, "~", len(changes.changed), limit)


def _names(stream: IO[str], sign: str, names: list[str], limit: int | None) -> None:
    for name in names[:limit]:
        stream.write(f"  {sign} {printable(name)}\n")
    _more(stream, sign, len(names), limit)


def _more(stream: IO[str], sign: str, count: int, limit: int | None) -> None:
    if limit is not None and count > limit:
        stream.write(f"  {sign} ... and {count - limit} more (migrate inventory diff)\n")


def rows(changes: ChangeSummary) -> list[tuple]:
    """One row per VM added or removed, and per field of a changed VM; a first discovery's VMs are all added."""
    found: list[tuple] = [(name, "added", None, None, None) for name in changes.added]
    found += [(name, "removed", None, None, None) for name in changes.removed]
    found += [(name, "changed", f["field"], f["old"], f["new"]) for name, fields in changes.changed for f in fields]
    return found
