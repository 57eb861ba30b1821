"""`migrate cutover`: the cutover of a wave's synced VMs, `migrate run` on the VMs a warm copy (`migrate sync`)
filled, optionally at a set time.

`run` itself does the same for a synced VM (its `copy_disk` runs the final pass: `steps/final_pass.py`); `cutover`
adds what a cutover window needs: it refuses a VM that was never synced (it would be copied whole, and down for as
long), and `--at` waits for the window before anything is changed, journaled as a run of its own (`cutover_at`) so
that another shell sees it, and cancelled by Ctrl-C with nothing changed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from migrate.db.execution_models import RunStatus, VmStatus
from migrate.errors import UsageError
from migrate.execution import journal
from migrate.execution.services import RunOptions
from migrate.execution.wave import ServicesFactory, WaveRun, check_names, execute_wave
from migrate.planning.store import load_plan

log = logging.getLogger(__name__)

_CLOCK = re.compile(r"^(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)$")
POLL = 30.0  # seconds between looks at the clock while waiting: a sleep is cut short by Ctrl-C anyway


def cutover_time(text: str, now: datetime) -> datetime:
    """When `--at TEXT` means, as an aware local time: HH:MM today (tomorrow when it has passed), or an ISO date and
    time (local unless it names its offset). `now` is aware. A UsageError names a value that is neither, or past."""
    clock = _CLOCK.match(text.strip())
    if clock:
        at = now.replace(hour=int(clock["hour"]), minute=int(clock["minute"]), second=0, microsecond=0)
        return at if at > now else at + timedelta(days=1)
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--at {text}: not a time; give HH:MM (local time, today or tomorrow) or an ISO date and "
                         "time such as 2026-12-06T22:00") from None
    at = at if at.tzinfo is not None else at.replace(tzinfo=now.tzinfo)
    if at <= now:
        raise UsageError(f"--at {text}: that time has passed ({now.isoformat(timespec='seconds')} now); give a time "
                         "to come, or leave --at out to cut over now")
    return at


def synced_vms(session: Session, wave: int, only: Collection[str] = ()) -> list[str]:
    """The VMs of the wave (or of `only`) to cut over: each has a done sync pass. A UsageError names a VM given that
    has none, or says that the wave has none left."""
    _, plan = load_plan(session, wave)
    check_names(plan, wave, only)
    migrations = journal.ensure_vm_migrations(session, wave, [(vm.vm_id, vm.vm_name) for vm in plan.vms])
    synced = {m.vm_name for m in migrations if journal.last_done_pass(session, m.id) is not None}
    if only:
        unsynced = sorted(set(only) - synced)
        if unsynced:
            raise UsageError(f"{', '.join(unsynced)} of wave {wave} {'has' if len(unsynced) == 1 else 'have'} no done "
                             f"sync pass: sync first with `migrate sync --wave {wave} "
                             + " ".join(f"--vm {name}" for name in unsynced)
                             + f"`, or migrate cold with `migrate run --wave {wave}`")
        return sorted(only)
    left = sorted(m.vm_name for m in migrations if m.vm_name in synced
                  and m.status not in (VmStatus.DONE, VmStatus.ROLLED_BACK))
    if not left:
        raise UsageError(f"wave {wave} has no synced VM left to cut over: sync its VMs first with `migrate sync "
                         f"--wave {wave}`, or migrate them cold with `migrate run --wave {wave}`")
    return left


def cutover_wave(sessions: sessionmaker[Session], wave: int, options: RunOptions, services_factory: ServicesFactory,
                 only: Collection[str] = (), at: datetime | None = None,
                 on_wait: Callable[[datetime, list[str]], None] = lambda at, names: None,
                 progress: Callable[[str, str, float], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], datetime] | None = None) -> WaveRun:
    """Cut the synced VMs of wave `wave` (or those in `only`) over, at `at` if given: each source shut down by the
    wave's policy, the final pass into its synced volumes, then as `migrate run`. Resumes as `run` does."""
    with sessions() as session:
        names = synced_vms(session, wave, only)
    if at is not None and not options.dry_run:
        wait_until(sessions, wave, names, at, on_wait, sleep, now or _local_now)
    return execute_wave(sessions, wave, options, services_factory, progress=progress, only=names)


def wait_until(sessions: sessionmaker[Session], wave: int, names: list[str], at: datetime,
               on_wait: Callable[[datetime, list[str]], None], sleep: Callable[[float], None],
               now: Callable[[], datetime]) -> None:
    """Wait until `at`, journaled as a run (`cutover_at`) that ends succeeded at the time, failed when interrupted:
    a Ctrl-C before then leaves everything as it was."""
    with sessions() as session:
        run_id = journal.begin_run(session, wave, {"cutover_at": at.isoformat(), "only": names}).id
    on_wait(at, names)
    log.info("wave %d: waiting until %s to cut over %s", wave, at.isoformat(timespec="minutes"), ", ".join(names))
    try:
        while (left := (at - now()).total_seconds()) > 0:
            sleep(min(left, POLL))
    except BaseException:
        with sessions() as session:
            journal.end_run(session, run_id, RunStatus.FAILED)
        raise
    with sessions() as session:
        journal.end_run(session, run_id, RunStatus.SUCCEEDED)


def _local_now() -> datetime:
    return datetime.now().astimezone()
