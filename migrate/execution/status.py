"""Where each VM of a wave stands, read from the journal: step, the disk being copied, bytes moved, speed, times,
measured downtime, agent, error.

Bytes moved are what the copies read: each source disk's allocated data as qemu-img saw it (`moved_bytes` in the
copy's journal detail), not the disks' virtual size; the rate is those bytes over the copies' time. A copy
journaled before bytes moved were measured leaves the VM's `bytes_moved` unknown (None), never a wrong figure.
A disk counts once: by its newest finished copy (a copy interrupted and done again is not counted twice; the
copies of an attempt that was rolled back are `undone` and not counted). While a disk is copying, its bytes
so far and its current speed come from the progress the copy saves in its started step run.

Times are those of the current attempt (steps a rollback undid are left out): `started` when its first step
began, `finished` when its last step ended (once the VM is done), and `downtime_seconds` from the source's stop
(stop_source done) to the target's start (start_target done); None while the target has not been started.
A VM a warm copy synced also shows its last sync pass, its age, the bytes behind and the estimated cutover
downtime (`sync_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.base import utcnow
from migrate.db.execution_models import StepRun, StepStatus, VmMigration, VmStatus
from migrate.errors import NotFoundError
from migrate.execution.journal import ROLLBACK_STEP, rollback_unfinished
from migrate.execution import rehearsal_journal
from migrate.execution.sync_status import EMPTY, sync_columns, with_downtime
from migrate.execution.vm_state import VmState
from migrate.planning.model import PlannedVm
from migrate.planning.store import load_plan


@dataclass
class Copies:
    """A VM's copy_disk step runs that count: the newest finished one per disk, and the one running now."""

    finished: dict[str, dict[str, Any]] = field(default_factory=dict)  # disk -> detail
    running: tuple[str, dict[str, Any]] | None = None  # (disk, progress detail)


@dataclass
class Times:
    """When a VM's current attempt began and ended, and when its source stopped and its target started."""

    started: datetime | None = None
    finished: datetime | None = None
    source_stopped: datetime | None = None
    target_started: datetime | None = None


def wave_status(session: Session, wave: int | None = None) -> list[dict[str, Any]]:
    """One row per VM migration (of `wave`, or of every wave), in wave and name order."""
    query = select(VmMigration).order_by(VmMigration.wave, VmMigration.vm_name)
    if wave is not None:
        query = query.where(VmMigration.wave == wave)
    migrations = list(session.scalars(query))
    copies = _copies(session, migrations)
    times = _times(session, migrations)
    plans = _planned_vms(session, {m.wave for m in migrations})
    rehearsed = rehearsal_journal.latest(session, [m.vm_id for m in migrations])
    synced = sync_columns(session, [m.id for m in migrations], utcnow())
    return [{**_row(m, copies.get(m.id, Copies()), times.get(m.id, Times())),
             **_planned(plans.get((m.wave, m.vm_id))),
             "rehearsal": rehearsed[m.vm_id].status if m.vm_id in rehearsed else "",
             **(with_downtime(synced[m.id], plans.get((m.wave, m.vm_id))) if m.id in synced else EMPTY)}
            for m in migrations]


def _planned_vms(session: Session, waves: set[int]) -> dict[tuple[int, int], PlannedVm]:
    """The newest plan of each wave's VMs, by (wave, VM id)."""
    found = {}
    for wave in sorted(waves):
        try:
            _, plan = load_plan(session, wave)
        except NotFoundError:
            continue
        found.update({(wave, vm.vm_id): vm for vm in plan.vms})
    return found


def _planned(vm: PlannedVm | None) -> dict[str, Any]:
    """The bytes the plan expects the VM to move (the size model's)."""
    return {} if vm is None else {"bytes_planned": vm.transfer_bytes, "bytes_estimated": vm.transfer_estimated}


def _times(session: Session, migrations: list[VmMigration]) -> dict[int, Times]:
    found: dict[int, Times] = {}
    if not migrations:
        return found
    query = select(StepRun.vm_migration_id, StepRun.step, StepRun.status, StepRun.started_at, StepRun.finished_at).where(
        StepRun.vm_migration_id.in_([m.id for m in migrations]), StepRun.step != ROLLBACK_STEP,
        StepRun.status != StepStatus.UNDONE).order_by(StepRun.id)
    for vm_migration_id, step, status, started_at, finished_at in session.execute(query):
        times = found.setdefault(vm_migration_id, Times())
        times.started = min(filter(None, (times.started, started_at)), default=None)
        times.finished = max(filter(None, (times.finished, finished_at)), default=None)
        if status == StepStatus.DONE and step == "stop_source":
            times.source_stopped = finished_at
        elif status == StepStatus.DONE and step == "start_target":
            times.target_started = finished_at
    return found


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


def _row(migration: VmMigration, copies: Copies, times: Times) -> dict[str, Any]:
    state = VmState.from_dict(migration.state)
    finished = list(copies.finished.values())
    measured = all(c.get("moved_bytes") is not None for c in finished)
    moved: int | None = sum(int(c["moved_bytes"]) for c in finished) if measured else None
    seconds = sum(float(c.get("seconds") or 0) for c in finished)
    speed = moved / seconds if moved and seconds else None
    disk = ""
    if copies.running is not None:
        disk, progress = copies.running
        moved = None if moved is None else moved + int(progress.get("bytes_done") or 0)
        speed = progress.get("bytes_per_second")
    status, error = migration.status, migration.error or ""
    if rollback_unfinished(migration):
        status = VmStatus.ROLLBACK_UNFINISHED
        error = (error + "; " if error else "") + (f"the rollback did not finish: run `migrate rollback --vm "
                                                   f"{migration.vm_name}` again")
    return {
        "wave": migration.wave, "vm": migration.vm_name, "status": status,
        "step": migration.current_step or "", "disk": disk, **_target_columns(state),
        "disks_copied": len(copies.finished), "bytes_planned": None, "bytes_estimated": None, "bytes_moved": moved,
        "mib_per_second": round(speed / 2**20, 1) if speed else None, **_time_columns(migration, times),
        "ips": state.target_ips or [], "ips_missing": state.ips_missing or [], "agent": state.agent, "error": error,
    }


def _time_columns(migration: VmMigration, times: Times) -> dict[str, Any]:
    done = migration.status == VmStatus.DONE
    down = (times.target_started - times.source_stopped).total_seconds() \
        if times.source_stopped and times.target_started else None
    end = times.finished if done else (utcnow() if migration.status == VmStatus.RUNNING else times.finished)
    took = (end - times.started).total_seconds() if times.started and end else None
    return {"started": _iso(times.started), "finished": _iso(times.finished) if done else None,
            "duration_seconds": round(took, 1) if took is not None else None,  # so far, while it runs
            "downtime_seconds": round(down, 1) if down is not None else None}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _target_columns(state: VmState) -> dict[str, Any]:
    target = state.target
    return {"vmid": target.vmid if target else None, "node": target.node if target else None}
