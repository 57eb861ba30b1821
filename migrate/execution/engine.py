"""Running an itinerary for one VM against the journal, and a wave's VMs in parallel within limits.

Before a step runs it is journaled as started, after it finishes as done (with the state it left),
each committed: a resume skips what is done and runs again what was started but not finished.

A step that failed with a transient error (a dropped connection, a request that timed out: `MigrateError.transient`)
is run again within the run, after a backoff, up to `Retry.attempts` times in all; every attempt is its own
journal row, and a failed one keeps its error. That is safe because every step is safe to run again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from migrate import failpoints
from migrate.db.execution_models import VmMigration, VmStatus
from migrate.errors import MigrateError, StepFailedError
from migrate.execution import journal
from migrate.execution.itinerary import Itinerary, Services, Step, StepContext
from migrate.execution.locks import VmLocker
from migrate.execution.vm_plan import VmPlan
from migrate.execution.vm_state import VmState

log = logging.getLogger(__name__)

# Every transition is logged with an `event` (and `vm`, `step`, ...) in the record's extras: the run's log file,
# its timestamped lines on a non-terminal stderr and the progress bars on a terminal all read these records.
VM_STARTED, VM_DONE, VM_FAILED = "vm_started", "vm_done", "vm_failed"
STEP_STARTED, STEP_DONE, STEP_FAILED, STEP_RETRY = "step_started", "step_done", "step_failed", "step_retry"


@dataclass(frozen=True)
class Retry:
    """How often a step that failed with a transient error is tried in all, and the wait before the second try
    (doubled before each next one)."""

    attempts: int = 1
    backoff: float = 5.0

    def wait(self, attempt: int) -> float:
        return self.backoff * 2 ** (attempt - 1)


def run_vm(
    sessions: sessionmaker[Session],
    run_id: int,
    vm_migration_id: int,
    plan: VmPlan,
    itinerary: Itinerary,
    services: Services,
    progress: Callable[[str, str, float], None] | None = None,
    retry: Retry = Retry(),
) -> bool:
    """Bring one VM through every step of the itinerary that is not done yet; False if another run finished it
    (or a rollback began) since this run listed its work."""
    with sessions() as session:
        migration = session.get(VmMigration, vm_migration_id)
        if migration.status in (VmStatus.DONE, VmStatus.ROLLED_BACK) or journal.rollback_unfinished(migration):
            return False
        name, state = migration.vm_name, VmState.from_dict(migration.state)
        done = journal.finished_items(session, vm_migration_id)
        started = time.monotonic()
        log.info("%s: begins", name, extra={"event": VM_STARTED, "vm": name})
        for step in itinerary:
            ctx = StepContext(vm_migration_id, name, plan.vm, plan.source, plan.stop, state, services,
                              session=session)
            if not step.applies(ctx):
                continue
            for item in step.items_of(ctx):
                if (step.name, item) in done:
                    continue
                _run_with_retries(session, run_id, ctx, step, item, progress, retry)
        journal.vm_done(session, vm_migration_id)
        down = journal.measured_downtime(session, vm_migration_id)
    seconds = time.monotonic() - started
    log.info("%s: migrated in %s%s", name, duration(seconds), f", down for {duration(down)}" if down is not None else "",
             extra={"event": VM_DONE, "vm": name, "seconds": seconds, "downtime": down})
    return True


def duration(seconds: float) -> str:
    """3m07s, 1h02m, 12.3s: how long, for people."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def _run_with_retries(session: Session, run_id: int, ctx: StepContext, step: Step, item: str, progress,
                      retry: Retry) -> None:
    attempt = 1
    while True:
        try:
            return _run_step(session, run_id, ctx, step, item, progress)
        except StepFailedError as exc:
            cause = exc.__cause__
            if not getattr(cause, "transient", False) or attempt >= retry.attempts:
                raise
            log.warning("%s; trying again (%d of %d)", exc, attempt + 1, retry.attempts,
                        extra={"event": STEP_RETRY, "vm": ctx.vm_name, "step": _label(step, item)})
            # Let the services check their connections again before the next attempt (a session may have ended).
            ctx.services.recheck()
            time.sleep(retry.wait(attempt))
            attempt += 1


def _run_step(session: Session, run_id: int, ctx: StepContext, step: Step, item: str, progress) -> None:
    step_run_id = journal.step_started(session, ctx.vm_migration_id, run_id, step.name, item)
    label, started = _label(step, item), time.monotonic()
    log.info("%s: %s", ctx.vm_name, label, extra={"event": STEP_STARTED, "vm": ctx.vm_name, "step": label,
                                                   "bytes": _item_bytes(ctx, step, item)})
    failpoints.reached(f"before:{step.name}")
    ctx.item = item
    ctx.save_progress = _progress_saver(session, step_run_id)
    if progress is not None:
        ctx.progress = lambda fraction: progress(ctx.vm_name, label, fraction)
    try:
        detail = step.action(ctx)
    except MigrateError as exc:
        journal.step_failed(session, step_run_id, str(exc), ctx.state)
        _log_failed(ctx, label, str(exc))
        raise StepFailedError(f"{ctx.vm_name}: step {label} failed: {exc}") from exc
    except Exception as exc:
        journal.step_failed(session, step_run_id, f"{type(exc).__name__}: {exc}", ctx.state)
        _log_failed(ctx, label, f"{type(exc).__name__}: {exc}")
        raise
    journal.step_done(session, step_run_id, detail, ctx.state)
    seconds = time.monotonic() - started
    log.info("%s: %s done in %s", ctx.vm_name, label, duration(seconds),
             extra={"event": STEP_DONE, "vm": ctx.vm_name, "step": label, "seconds": seconds})
    failpoints.reached(f"after:{step.name}")


def _label(step: Step, item: str) -> str:
    return f"{step.name} {item}".strip()


def _item_bytes(ctx: StepContext, step: Step, item: str) -> int | None:
    """The virtual size of the disk a per-disk step works on (the copy's progress is a share of it)."""
    if not item:
        return None
    return next((disk.size_bytes for disk in ctx.vm.disks if disk.slot == item and disk.source_file), None)


def _log_failed(ctx: StepContext, label: str, error: str) -> None:
    log.warning("%s: %s failed: %s", ctx.vm_name, label, error,
                extra={"event": STEP_FAILED, "vm": ctx.vm_name, "step": label})


def _progress_saver(session: Session, step_run_id: int) -> Callable[[dict[str, Any]], None]:
    def save(detail: dict[str, Any]) -> None:
        try:
            journal.step_progress(session, step_run_id, detail)
        except SQLAlchemyError as exc:  # the progress is there to watch the copy, never a reason to fail it
            session.rollback()
            log.warning("could not save the progress of step run %s: %s", step_run_id, exc)
    return save


@dataclass
class Limits:
    """At most `total` VMs at once, and at most `per_resource` on any one node or source datastore."""

    total: int = 4
    per_resource: int = 2


@dataclass
class WaveOutcome:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped_locked: list[str] = field(default_factory=list)  # another run was working on them
    done_by_another: list[str] = field(default_factory=list)  # another run finished them after this one began


@dataclass
class WorkItem:
    vm_migration_id: int
    vm_name: str
    plan: VmPlan
    resources: Sequence[str]  # e.g. ("node:pve1", "datastore:ds1")


def run_wave(
    sessions: sessionmaker[Session],
    locker: VmLocker,
    run_id: int,
    work: Sequence[WorkItem],
    itinerary: Itinerary,
    services: Services,
    limits: Limits,
    progress: Callable[[str, str, float], None] | None = None,
    retry: Retry = Retry(),
) -> WaveOutcome:
    """Run every VM's itinerary, in parallel within the limits; a VM another run holds is skipped."""
    outcome = WaveOutcome()
    pending = list(work)
    busy: dict[str, int] = {}
    running: dict[Future, WorkItem] = {}
    guard = threading.Lock()
    if limits.total < 1 or limits.per_resource < 1:
        raise ValueError("parallelism limits must be at least 1")
    with ThreadPoolExecutor(max_workers=limits.total) as pool:
        while pending or running:
            for item in _startable(pending, busy, len(running), limits):
                pending.remove(item)
                if not locker.try_lock(item.vm_migration_id):
                    outcome.skipped_locked.append(item.vm_name)
                    continue
                for resource in item.resources:
                    busy[resource] = busy.get(resource, 0) + 1
                future = pool.submit(run_vm, sessions, run_id, item.vm_migration_id, item.plan, itinerary, services,
                                     progress, retry)
                running[future] = item
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                locker.release(item.vm_migration_id)
                for resource in item.resources:
                    busy[resource] -= 1
                with guard:
                    _record(outcome, item, future)
    return outcome


def _startable(pending: list[WorkItem], busy: dict[str, int], running: int, limits: Limits) -> list[WorkItem]:
    chosen, taken = [], dict(busy)
    for item in pending:
        if running + len(chosen) >= limits.total:
            break
        if all(taken.get(r, 0) < limits.per_resource for r in item.resources):
            chosen.append(item)
            for r in item.resources:
                taken[r] = taken.get(r, 0) + 1
    return chosen


def _record(outcome: WaveOutcome, item: WorkItem, future: Future) -> None:
    error = future.exception()
    if error is not None:
        outcome.failed[item.vm_name] = str(error)
        log.error("%s: failed", item.vm_name, extra={"event": VM_FAILED, "vm": item.vm_name})
    elif future.result():
        outcome.done.append(item.vm_name)
    else:
        outcome.done_by_another.append(item.vm_name)
