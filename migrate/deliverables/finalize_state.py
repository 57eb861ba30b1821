"""What `migrate finalize` did to each wave, as its journal says: the report's "After cutover" section.

Read from the journal only (the report is written offline, with no target to ask): per wave, the HA resources and
rules made, the backup jobs the VMs were added to, each first backup's archive or error, and the sources retired.
An object's latest attempt counts, so a change that failed and was made by the next finalize shows as made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.execution_models import FinalizeChange, MigrationRun, StepStatus
from migrate.finalize.model import Action, Kind

RETIRED = {Action.RENAME: "renamed to {name} and noted", Action.UNREGISTER: "unregistered from vCenter",
           Action.DELETE: "deleted with its files"}


@dataclass
class FinalizeRow:
    """One wave's finalize: what was made, and by whom when it last ran."""

    wave: int
    last_run: datetime | None = None
    who: str = ""
    ha_resources: list[str] = field(default_factory=list)  # "vm:1001 (sql-01)"
    ha_rules: list[str] = field(default_factory=list)  # "drs-prod-sql-apart (sql-01, sql-02)"
    backup_jobs: list[str] = field(default_factory=list)  # "daily: sql-01, sql-02"
    first_backups: list[tuple[str, str]] = field(default_factory=list)  # (VM, archive or why it failed)
    retired: list[tuple[str, str]] = field(default_factory=list)  # (VM, what was done to its source)
    failed: int = 0  # changes whose latest attempt failed or was cut short


def finalize_rows(session: Session, wave: int | None = None) -> list[FinalizeRow]:
    """Per wave that finalize ran on (only `wave` if given), what its journal says was made; none if never run."""
    query = select(FinalizeChange).order_by(FinalizeChange.id)
    if wave is not None:
        query = query.where(FinalizeChange.wave == wave)
    latest: dict[tuple[int, str, str, str], FinalizeChange] = {}
    for change in session.scalars(query):
        latest[(change.wave, change.kind, change.action, change.object_id)] = change
    runs = {run.id: run for run in session.scalars(
        select(MigrationRun).where(MigrationRun.id.in_({c.run_id for c in latest.values()})))}
    rows: dict[int, FinalizeRow] = {}
    for change in latest.values():
        row = rows.setdefault(change.wave, FinalizeRow(change.wave))
        run = runs[change.run_id]
        if row.last_run is None or run.started_at > row.last_run:
            row.last_run, row.who = run.started_at, run.worker
        _add(row, change)
    return [rows[number] for number in sorted(rows)]


def _add(row: FinalizeRow, change: FinalizeChange) -> None:
    vms = ", ".join(change.vms)
    if change.status != StepStatus.DONE:
        row.failed += 1
        if change.kind == Kind.FIRST_BACKUP:
            row.first_backups.append((vms, f"failed: {change.error or 'cut short'}"))
        return
    match change.kind:
        case Kind.HA_RESOURCE:
            row.ha_resources.append(f"{change.object_id} ({vms})")
        case Kind.HA_RULE:
            row.ha_rules.append(f"{change.object_id} ({vms})")
        case Kind.BACKUP_JOB:
            row.backup_jobs.append(f"{change.object_id}: {vms}")
        case Kind.FIRST_BACKUP:
            row.first_backups.append((vms, str((change.detail or {}).get("archive") or "done")))
        case Kind.RETIRE_SOURCE:
            what = RETIRED.get(Action(change.action), change.action)
            row.retired.append((vms, what.format(name=(change.params or {}).get("name", ""))))
