"""Where each VM of a wave stands, read from the journal: step, the disk being copied, bytes, speed, agent, error.

A disk counts once: by its newest finished copy (a copy interrupted and done again is not counted twice; the
copies of an attempt that was rolled back are `undone` and not counted). While a disk is copying, its bytes
so far and its current speed come from the progress the copy saves in its started step run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.execution_models import StepRun, StepStatus, VmMigration, VmStatus
from migrate.execution.journal import rollback_unfinished
from migrate.execution.vm_state import VmState


@dataclass
class Copies:
    """A VM's copy_disk step runs that count: the newest finished one per disk, and the one running now."""

    finished: dict[str, dict[str, Any]] = field(default_factory=dict)  # disk -> detail
    running: tuple[str, dict[str, Any]] | None = None  # (disk, progress detail)


def wave_status(session: Session, wave: int | None = None) -> list[dict[str, Any]]:
    """One row per VM migration (of `wave`, or of every wave), in wave and name order."""
    query = select(VmMigration).order_by(VmMigration.wave, VmMigration.vm_name)
    if wave is not None:
        query = query.where(VmMigration.wave == wave)
    migrations = list(session.scalars(query))
    copies = _copies(session, migrations)
    return [_row(m, copies.get(m.id, Copies())) for m in migrations]


def _copies(session: Session, migrations: list[VmMigration]) -> dict[int, Copies]:
    found: dict[int, Copies] = {}
    if not migrations:
        return found
    copying = {m.id for m in migrations if m.status == VmStatus.RUNNING and m.current_step == "copy_disk"}
    query = select(StepRun.vm_migration_id, StepRun.item, StepRun.status, StepRun.detail).where(
        StepRun.vm_migration_id.in_([m.id for m in migrations]), StepRun.step == "copy_disk",
        StepRun.status.in_((StepStatus.DONE, StepStatus.STARTED))).order_by(StepRun.id)
    for vm_migration_id, item, status, detail in session.execute(query):
        copies = found.setdefault(vm_migration_id, Copies())
        if status == StepStatus.DONE:
            copies.finished[item] = detail or {}
        elif vm_migration_id in copying:
            copies.running = (item, detail or {})  # the newest started copy of a VM copying now
    for copies in found.values():
        if copies.running and copies.running[0] in copies.finished:
            copies.running = None
    return found


def _row(migration: VmMigration, copies: Copies) -> dict[str, Any]:
    state = VmState.from_dict(migration.state)
    finished = copies.finished.values()
    copied = sum(int(c.get("bytes") or 0) for c in finished)
    seconds = sum(float(c.get("seconds") or 0) for c in finished)
    speed = copied / seconds if seconds else None
    disk = ""
    if copies.running is not None:
        disk, progress = copies.running
        copied += int(progress.get("bytes_done") or 0)
        speed = progress.get("bytes_per_second")
    status, error = migration.status, migration.error or ""
    if rollback_unfinished(migration):
        status = VmStatus.ROLLBACK_UNFINISHED
        error = (error + "; " if error else "") + (f"the rollback did not finish: run `migrate rollback --vm "
                                                   f"{migration.vm_name}` again")
    return {
        "wave": migration.wave, "vm": migration.vm_name, "status": status,
        "step": migration.current_step or "", "disk": disk, **_target_columns(state),
        "disks_copied": len(copies.finished), "bytes_copied": copied,
        "mib_per_second": round(speed / 2**20, 1) if speed else None,
        "ips": state.target_ips or [], "agent": state.agent, "error": error,
    }


def _target_columns(state: VmState) -> dict[str, Any]:
    target = state.target
    return {"vmid": target.vmid if target else None, "node": target.node if target else None}
