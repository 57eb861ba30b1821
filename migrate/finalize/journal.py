"""Journaling finalize: one run record (migration_runs, options say finalize) and a row per change, each written
before the change is sent and when it is done or failed, committed at once like the execution journal."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.base import utcnow
from migrate.db.execution_models import FinalizeChange, MigrationRun, RunStatus, StepStatus
from migrate.finalize.model import Change


def begin(session: Session, wave: int, options: dict[str, Any]) -> int:
    """Record a finalize run of the wave (a migration_runs row whose options say finalize); its id."""
    run = MigrationRun(wave=wave, worker=f"{socket.gethostname()}:{os.getpid()}", status=RunStatus.RUNNING,
                       options={"finalize": True, **options})
    session.add(run)
    session.commit()
    return run.id


def end(session: Session, run_id: int, failed: bool) -> None:
    """Record how the finalize run ended."""
    run = session.get(MigrationRun, run_id)
    run.status, run.finished_at = RunStatus.FAILED if failed else RunStatus.SUCCEEDED, utcnow()
    session.commit()


def change_started(session: Session, run_id: int, wave: int, change: Change) -> int:
    """Record a change before it is sent; its id."""
    row = FinalizeChange(run_id=run_id, wave=wave, kind=str(change.kind), action=str(change.action),
                         object_id=change.object_id, vms=list(change.vms), params=dict(change.params),
                         detail={}, status=StepStatus.STARTED)
    session.add(row)
    session.commit()
    return row.id


def change_ended(session: Session, change_id: int, error: str | None = None,
                 detail: dict[str, Any] | None = None) -> None:
    """Record a change done (with what came back) or failed (with the error)."""
    row = session.get(FinalizeChange, change_id)
    row.status, row.finished_at, row.error = StepStatus.FAILED if error else StepStatus.DONE, utcnow(), error
    row.detail = dict(detail or {})
    session.commit()


def settle(session: Session, wave: int, planned: set[tuple[str, str]],
           considered: Callable[[FinalizeChange], bool]) -> None:
    """Close the changes a killed finalize left started, by what the target holds now: one the new plan no longer
    makes was made (done), one it makes again was cut short (failed; the new run records its own). Only the changes
    `considered` by this finalize's plan (its VMs, its job, first backups if asked) are judged."""
    rows = session.scalars(select(FinalizeChange).where(FinalizeChange.wave == wave,
                                                        FinalizeChange.status == StepStatus.STARTED))
    for row in rows:
        if not considered(row):
            continue
        row.finished_at = utcnow()
        if (row.kind, row.object_id) in planned:
            row.status, row.error = StepStatus.FAILED, "cut short (the finalize was killed); made again by a later one"
        else:
            row.status = StepStatus.DONE
            row.detail = {**(row.detail or {}), "settled": "found made on the target by a later finalize"}
    session.commit()
