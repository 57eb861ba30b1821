"""Journaling finalize: one run record (migration_runs, options say finalize) and a row per change, each written
before the change is sent and when it is done or failed, committed at once like the execution journal."""

from __future__ import annotations

import os
import socket
from typing import Any

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
