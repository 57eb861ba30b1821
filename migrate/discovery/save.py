"""Recording a discovery: one function saves any source's `Inventory` as a discovery run and says what changed.

The vCenter API and an RVTools export both end here, so that both are matched, versioned and summarised
alike. Nothing here commits: the caller (the CLI) owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from migrate.errors import DatabaseError
from migrate.inventory.model import Inventory
from migrate.inventory.store import API_MATCH_KEYS, ChangeSummary, fail_run, find_source, save_inventory, start_run


def save_discovery(
    session: Session, inventory: Inventory, *, method: str, provenance: dict[str, Any], label: str,
    retry: str = "discover again", match_keys: Sequence[str] = API_MATCH_KEYS, started: datetime | None = None,
) -> ChangeSummary:
    """Save `inventory` as a new discovery run of its source and return what changed since the last one.

    If saving fails, the run is kept as failed and a `DatabaseError` naming `label` (the vCenter or the
    export file) and how to `retry` is raised; the inventory from before stays as it was.
    """
    run = start_run(session, inventory.source, method=method, provenance=provenance)
    if started is not None:
        run.started_at = started
    run_id = run.id
    try:
        with session.begin_nested():
            return save_inventory(session, run_id, inventory, match_keys=match_keys)
    except SQLAlchemyError as exc:
        fail_run(session, run_id, f"saving the inventory failed: {exc.__class__.__name__}: {exc}")
        raise DatabaseError(
            f"{label}: the inventory could not be saved ({exc.__class__.__name__}): check the database, then {retry}"
        ) from exc


def record_failed_discovery(
    session: Session, source: str, *, method: str, provenance: dict[str, Any], started: datetime, message: str,
) -> None:
    """Record a failed re-discovery of `source`; a source that was never discovered is not created by a failure."""
    session.rollback()
    if find_source(session, source) is None:
        return
    run = start_run(session, source, method, provenance=provenance)
    run.started_at = started
    fail_run(session, run.id, message)
