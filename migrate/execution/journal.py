"""Reading and writing the execution journal; every write is committed at once, so a resume can trust it."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from migrate.db.base import utcnow
from migrate.db.execution_models import (
    MigrationRun,
    RunStatus,
    StepRun,
    StepStatus,
    SyncPass,
    SyncState,
    VmLock,
    VmMigration,
    VmStatus,
)
from migrate.execution.vm_state import VmState

# The step name a rollback is journaled under, beside the itinerary's steps.
ROLLBACK_STEP = "rollback"


def begin_run(session: Session, wave: int, options: dict[str, Any]) -> MigrationRun:
    run = MigrationRun(wave=wave, worker=f"{socket.gethostname()}:{os.getpid()}", status=RunStatus.RUNNING,
                       options=options)
    session.add(run)
    session.commit()
    return run


def end_run(session: Session, run_id: int, status: RunStatus) -> None:
    run = session.get(MigrationRun, run_id)
    run.status, run.finished_at = status, utcnow()
    session.commit()


def ensure_vm_migrations(session: Session, wave: int, vms: Iterable[tuple[int, str]]) -> list[VmMigration]:
    """The wave's VM migrations, created for VMs that have none yet; existing ones keep their state.

    Two runs of the wave started together may both find a VM without one: the second's insert breaks the
    unique (wave, vm_id) and it takes the rows the first made instead.
    """
    vms = list(vms)
    try:
        return _ensure_vm_migrations(session, wave, vms)
    except IntegrityError:
        session.rollback()
        return _ensure_vm_migrations(session, wave, vms)


def _ensure_vm_migrations(session: Session, wave: int, vms: list[tuple[int, str]]) -> list[VmMigration]:
    existing = {m.vm_id: m for m in session.scalars(select(VmMigration).where(VmMigration.wave == wave))}
    created = []
    for vm_id, name in vms:
        if vm_id not in existing:
            existing[vm_id] = VmMigration(wave=wave, vm_id=vm_id, vm_name=name, status=VmStatus.PENDING,
                                           state={})
            created.append(existing[vm_id])
    session.add_all(created)
    session.flush()
    session.add_all(VmLock(vm_migration_id=m.id) for m in created)
    session.commit()
    return sorted(existing.values(), key=lambda m: m.id)


def finished_items(session: Session, vm_migration_id: int) -> set[tuple[str, str]]:
    """(step, item) pairs that some attempt finished: never to be done again."""
    rows = session.execute(
        select(StepRun.step, StepRun.item).where(StepRun.vm_migration_id == vm_migration_id,
                                                 StepRun.status == StepStatus.DONE)
    )
    return {(step, item) for step, item in rows}


def measured_downtime(session: Session, vm_migration_id: int) -> float | None:
    """Seconds from the source's stop (stop_source done) to the target's start (start_target done) of the current
    attempt; None while either has not happened (or with --no-start)."""
    rows = session.execute(select(StepRun.step, StepRun.finished_at).where(
        StepRun.vm_migration_id == vm_migration_id, StepRun.status == StepStatus.DONE,
        StepRun.step.in_(("stop_source", "start_target"))))
    ends = {step: finished for step, finished in rows}
    if "stop_source" in ends and "start_target" in ends:
        return (ends["start_target"] - ends["stop_source"]).total_seconds()
    return None


def step_started(session: Session, vm_migration_id: int, run_id: int, step: str, item: str) -> int:
    migration = session.get(VmMigration, vm_migration_id)
    migration.status, migration.current_step, migration.error = VmStatus.RUNNING, step, None
    row = StepRun(vm_migration_id=vm_migration_id, run_id=run_id, step=step, item=item, status=StepStatus.STARTED,
                  detail={})
    session.add(row)
    session.commit()
    return row.id


def step_progress(session: Session, step_run_id: int, detail: dict[str, Any]) -> None:
    """Save a running step's progress as its detail, in a short commit of its own."""
    session.get(StepRun, step_run_id).detail = detail
    session.commit()


def step_done(session: Session, step_run_id: int, detail: dict[str, Any] | None, state: VmState) -> None:
    """Mark a step finished and save the VM's state as the step left it, in one transaction."""
    row = session.get(StepRun, step_run_id)
    row.status, row.finished_at, row.detail = StepStatus.DONE, utcnow(), detail or {}
    migration = session.get(VmMigration, row.vm_migration_id)
    # New containers (to_dict): a step that changed a nested value in place must still be seen as a change.
    migration.state = state.to_dict()
    session.commit()


def step_failed(session: Session, step_run_id: int, error: str, state: VmState) -> None:
    row = session.get(StepRun, step_run_id)
    row.status, row.finished_at, row.error = StepStatus.FAILED, utcnow(), error
    migration = session.get(VmMigration, row.vm_migration_id)
    migration.status, migration.error, migration.state = VmStatus.FAILED, error, state.to_dict()
    session.commit()


def undo_steps(session: Session, vm_migration_id: int) -> None:
    """Mark the VM's finished steps `undone` (a rollback undid them): they no longer count as done.

    The rows stay as history, and the caller commits with the rollback's own record.
    """
    session.execute(update(StepRun).where(StepRun.vm_migration_id == vm_migration_id, StepRun.status == StepStatus.DONE,
                                          StepRun.step != ROLLBACK_STEP).values(status=StepStatus.UNDONE))


def readmit(session: Session, vm_migration_ids: Iterable[int]) -> None:
    """Give rolled-back VMs a clean slate for a new attempt: pending, an empty state, no step done.

    Only a VM still `rolled_back` is reset (a conditional update), so a second run readmitting the same VM
    cannot wipe the state of an attempt that has begun. The journal rows of earlier attempts stay.
    """
    for vm_migration_id in vm_migration_ids:
        reset = session.execute(
            update(VmMigration).where(VmMigration.id == vm_migration_id, VmMigration.status == VmStatus.ROLLED_BACK)
            .values(status=VmStatus.PENDING, state={}, current_step=None, error=None))
        if reset.rowcount:
            undo_steps(session, vm_migration_id)  # those a rollback before this version left `done`
    session.commit()


def rollback_unfinished(migration: VmMigration) -> bool:
    """Whether a rollback of the VM began and did not finish (it failed, or was killed): its target may already
    be destroyed while every earlier step still counts as done, so the VM must be rolled back again before
    anything else is done with it."""
    return migration.current_step == ROLLBACK_STEP and migration.status != VmStatus.ROLLED_BACK


def vm_done(session: Session, vm_migration_id: int) -> None:
    migration = session.get(VmMigration, vm_migration_id)
    migration.status, migration.current_step = VmStatus.DONE, None
    session.commit()


# The passes of a warm copy (`migrate sync`), each write committed, as the steps' are.

def sync_pass_started(session: Session, vm_migration_id: int, final: bool = False) -> SyncPass:
    """Journal a new pass of the VM, numbered after every earlier one, before its snapshot is taken (`final`: the
    cutover's, which takes none)."""
    last = session.scalar(select(func.max(SyncPass.number)).where(SyncPass.vm_migration_id == vm_migration_id))
    row = SyncPass(vm_migration_id=vm_migration_id, number=(last or 0) + 1, state=SyncState.STARTED, change_ids={},
                   disks={}, extents=0, bytes_read=0, bytes_written=0, final=final)
    session.add(row)
    session.commit()
    return row


def sync_snapshot_taken(session: Session, row: SyncPass, moref: str, name: str,
                        change_ids: dict[str, str | None]) -> None:
    row.snapshot_moref, row.snapshot_name, row.change_ids = moref, name, dict(change_ids)
    session.commit()


def sync_disk_copied(session: Session, row: SyncPass, slot: str, extents: int, bytes_read: int, bytes_written: int,
                     detail: dict[str, Any]) -> None:
    """Add one disk's copy to the pass: its extents and bytes to the totals, its detail under its slot."""
    row.disks = {**row.disks, slot: {"extents": extents, "bytes_read": bytes_read, "bytes_written": bytes_written,
                                     **detail}}
    row.extents += extents
    row.bytes_read += bytes_read
    row.bytes_written += bytes_written
    session.commit()


def sync_pass_ended(session: Session, row: SyncPass, error: str | None = None) -> None:
    """The pass is done (its snapshot removed), or failed with `error`."""
    row.state, row.finished_at, row.error = (SyncState.FAILED if error else SyncState.DONE), utcnow(), error
    session.commit()


def last_done_pass(session: Session, vm_migration_id: int) -> SyncPass | None:
    """The VM's newest done pass, whose change ids the next pass asks the changes since; None before pass 1."""
    return session.scalars(select(SyncPass).where(SyncPass.vm_migration_id == vm_migration_id,
                                                  SyncPass.state == SyncState.DONE)
                           .order_by(SyncPass.number.desc()).limit(1)).first()


def synced(session: Session, vm_migration_ids: Iterable[int]) -> set[int]:
    """The VM migrations of those given that have had a sync pass (a rollback looks for their snapshots)."""
    return set(session.scalars(select(SyncPass.vm_migration_id).distinct()
                               .where(SyncPass.vm_migration_id.in_(list(vm_migration_ids)))))


def discard_sync_passes(session: Session, vm_migration_id: int) -> None:
    """Mark the VM's done passes discarded (a rollback deleted the volumes they filled), with the caller's commit:
    the VM is no longer synced, and its next pass copies its disks whole."""
    session.execute(update(SyncPass).where(SyncPass.vm_migration_id == vm_migration_id,
                                           SyncPass.state == SyncState.DONE).values(state=SyncState.DISCARDED))


def sync_passes_killed(session: Session, vm_migration_id: int) -> list[SyncPass]:
    """Mark the VM's passes still `started` failed (their process was killed: none runs, the VM is locked), and
    return them: their snapshots are orphans to remove."""
    rows = list(session.scalars(select(SyncPass).where(SyncPass.vm_migration_id == vm_migration_id,
                                                       SyncPass.state == SyncState.STARTED)))
    for row in rows:
        row.state, row.finished_at, row.error = SyncState.FAILED, utcnow(), "killed: found unfinished at the next pass"
    session.commit()
    return rows


def save_state(session: Session, vm_migration_id: int, state: VmState) -> None:
    """Save a VM's state outside a step (a sync pass made its target VM or volumes), at once."""
    session.get(VmMigration, vm_migration_id).state = state.to_dict()
    session.commit()
