"""`migrate sync`: copy a wave's disks into their final target volumes while the sources run, and keep them close.

One pass per VM per call, each journaled in `sync_passes`:
- at the first contact, a pass a killed process left `started` is failed, and every snapshot of a sync pass on
  the VM (named `SNAPSHOT_NAME N`, so none of anyone else's) is removed: a killed pass's is an orphan;
- change tracking must be on: a VM without it is refused naming `--enable-cbt`, which turns it on (a snapshot
  cycle) only when asked;
- pass 1 checks the VM as `migrate run`'s preflight does, creates the target VM and its volumes as run does
  (`create_shell`, `copy_disk`), takes a snapshot without memory (quiesced when VMware Tools run) so that the
  base disks are frozen, copies them whole with run's copy, and records each disk's change id;
- a later pass takes a new snapshot, asks `QueryChangedDiskAreas` for the areas changed since the newest done
  pass's change id, and the node copies only those areas from the frozen base into the volume (`extent_copy`);
  a disk whose change id is unknown or no longer valid (tracking was reset) is copied whole again;
- the pass's snapshot is removed when it ends, copied or failed;
- under `--bwlimit` each copy reads at most the limit (one copy at a time), and under a sync window (`sync_window`)
  a pass waits for the window before its snapshot and between its disks and batches of areas.

The cutover's final pass, with the source off, is `steps/final_pass.py`, run by `migrate run`'s `copy_disk`.

The bytes never pass through the controller: the node reads the base disks from its mount of their datastore
(`--datastore-path`), or over HTTPS from the vCenter's datastore file API, a later pass with one Range request
per changed area.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session, sessionmaker

from migrate.clients.vsphere import changed_blocks as cbt
from migrate.clients.vsphere.source_state import source_state
from migrate.db.execution_models import RunStatus, SyncPass, VmMigration, VmStatus
from migrate.db.plan_models import Target, Wave
from migrate.errors import ChangeIdInvalidError, ChangeTrackingOffError, MigrateError
from migrate import failpoints
from migrate.execution import journal
from migrate.execution.bandwidth import copy_rates
from migrate.execution.bandwidth import describe as describe_rates
from migrate.execution.engine import WorkItem, duration
from migrate.execution.itinerary import Services, StepContext, UndoContext
from migrate.execution.locks import VmLocker
from migrate.execution.services import RunOptions
from migrate.execution.steps import copy_disk, create_shell, preflight
from migrate.execution.steps.common import copied_disks
from migrate.execution.steps.delta import SNAPSHOT_NAME, copy_areas, disk_keys, remove_toolkit_snapshots
from migrate.execution.sync_window import Gate, SyncWindow
from migrate.execution.vm_state import VmState
from migrate.execution.wave import check_names, work_items
from migrate.planning.model import PlannedDisk
from migrate.planning.store import load_plan
from migrate.waves.store import stop_policy

log = logging.getLogger(__name__)

ServicesFactory = Callable[[Target, RunOptions], Services]


@dataclass(frozen=True)
class PassOutcome:
    """What one VM's pass did."""

    vm: str
    number: int
    whole: list[str]  # the disks copied whole (pass 1, or a change id no longer valid)
    extents: int
    bytes_read: int
    bytes_written: int
    seconds: float
    orphans_removed: list[str] = field(default_factory=list)  # snapshots of the toolkit's a killed pass left
    tracking_enabled: bool = False  # --enable-cbt turned change tracking on
    paused_seconds: float = 0.0  # waited outside the sync window, before and during the pass


@dataclass
class WaveSync:
    """What `sync_wave` did, per VM."""

    wave: int
    passes: list[PassOutcome] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # VM -> why no pass ran


def sync_wave(sessions: sessionmaker[Session], wave: int, options: RunOptions, services_factory: ServicesFactory,
              only: Collection[str] = (), enable_cbt: bool = False, window: SyncWindow | None = None,
              gate_factory: Callable[[SyncWindow | None, str], Gate] = Gate) -> WaveSync:
    """Run one sync pass for each VM of wave `wave` (or those in `only`) by its newest plan, one VM at a time;
    with a `window`, only in its hours (`sync_window`)."""
    with sessions() as session:
        record, plan = load_plan(session, wave)
        check_names(plan, wave, only)
        target = session.get(Target, record.target_id)
        session.expunge(target)
        migrations = journal.ensure_vm_migrations(session, wave, [(vm.vm_id, vm.vm_name) for vm in plan.vms])
        # A rolled-back VM named with --vm is synced again from a whole copy (its rollback discarded its passes).
        journal.readmit(session, [m.id for m in migrations if m.status == VmStatus.ROLLED_BACK and m.vm_name in only])
        policy = stop_policy(session.get(Wave, record.wave_id))
        pending = {m.id for m in migrations if m.status == VmStatus.PENDING}
        work = [item for item in work_items(session, plan, migrations, set(), policy)
                if (not only or item.vm_name in only) and item.vm_migration_id in pending]
        skipped = {m.vm_name: _why_not(m.status) for m in migrations
                   if (not only or m.vm_name in only) and m.vm_name not in {item.vm_name for item in work}}
    result = WaveSync(wave, skipped=skipped)
    if not work:
        return result
    # One VM at a time, one disk at a time: each copy may read at the whole limit.
    options = replace(options, copy_rates=copy_rates([item.plan.vm.node for item in work], 1, 1,
                                                     options.bwlimit_mib_s, options.bwlimit_node_mib_s))
    if options.copy_rates:
        log.info("bandwidth limit: each copy reads at most %s", describe_rates(options.copy_rates))
    services = services_factory(target, options)
    locker = VmLocker(sessions.kw["bind"])
    try:
        with sessions() as session:  # journaled as an attempt of its own, as a rollback is
            run_id = journal.begin_run(session, wave, _journaled(options, only, enable_cbt, window)).id
        for item in work:
            with locker.held(item.vm_migration_id) as free:
                if not free:
                    result.skipped[item.vm_name] = "another run is working on it"
                    continue
                try:
                    result.passes.append(sync_vm(sessions, item, services, enable_cbt,
                                                 gate_factory(window, f"{item.vm_name}: sync")))
                except MigrateError as exc:
                    result.failed[item.vm_name] = str(exc)
                    log.warning("%s: sync failed: %s", item.vm_name, exc)
        with sessions() as session:
            journal.end_run(session, run_id, RunStatus.FAILED if result.failed else RunStatus.SUCCEEDED)
    finally:
        services.close()
    return result


def _journaled(options: RunOptions, only: Collection[str], enable_cbt: bool, window: SyncWindow | None) -> dict:
    return {"sync": True, "enable_cbt": enable_cbt, "only": sorted(only), "insecure_source": options.insecure_source,
            "window": window.text if window is not None else None,
            "datastore_paths": dict(options.datastore_paths), "stall_timeout": options.stall_timeout,
            "bwlimit_mib_s": options.bwlimit_mib_s, "bwlimit_node_mib_s": options.bwlimit_node_mib_s,
            "copy_rates": dict(options.copy_rates)}


def _why_not(status: str) -> str:
    """Why a VM of the wave gets no sync pass: a sync is for a VM whose `migrate run` has not begun."""
    if status in (VmStatus.RUNNING, VmStatus.FAILED):
        return (f"its migration is {status}: a `migrate run` began for it; finish it with `migrate run` "
                "(or roll it back)")
    if status == VmStatus.ROLLED_BACK:
        return "it was rolled back: name it with --vm to sync it again, from a whole copy"
    return f"its migration is {status}: a sync is for a VM not migrated yet"


def sync_vm(sessions: sessionmaker[Session], item: WorkItem, services: Services, enable_cbt: bool,
            gate: Gate | None = None) -> PassOutcome:
    """One pass for one VM (locked by the caller), journaled; its snapshot removed whatever happens. `gate`: the
    sync window's, waited for before the pass begins and between its pieces of work."""
    gate = gate or Gate()
    gate()  # before the snapshot: none is held while the pass waits to begin
    started = time.monotonic()
    with sessions() as session:
        migration = session.get(VmMigration, item.vm_migration_id)
        ctx = StepContext(item.vm_migration_id, item.vm_name, item.plan.vm, item.plan.source, item.plan.stop,
                          VmState.from_dict(migration.state), services)
        journal.sync_passes_killed(session, item.vm_migration_id)
        orphans = remove_toolkit_snapshots(ctx)
        enabled = require_change_tracking(ctx, enable_cbt)
        previous = journal.last_done_pass(session, item.vm_migration_id)
        row = journal.sync_pass_started(session, item.vm_migration_id)
        try:
            whole = run_pass(session, ctx, row, previous, gate)
        except Exception as exc:
            journal.sync_pass_ended(session, row, str(exc) if isinstance(exc, MigrateError) else
                                    f"{type(exc).__name__}: {exc}")
            raise
        journal.sync_pass_ended(session, row)
        outcome = PassOutcome(item.vm_name, row.number, whole, row.extents, row.bytes_read, row.bytes_written,
                              time.monotonic() - started, orphans, enabled, round(gate.paused, 1))
    log.info("%s: sync pass %d done in %s: %d areas, %d bytes read", item.vm_name, outcome.number,
             duration(outcome.seconds), outcome.extents, outcome.bytes_read)
    return outcome


def require_change_tracking(ctx: StepContext, enable: bool) -> bool:
    """Refuse a source without changed block tracking, or turn it on when `enable` (then True)."""
    conn, moref = ctx.services.vsphere, ctx.source.moref
    if cbt.change_tracking_enabled(conn, moref):
        return False
    if not enable:
        raise ChangeTrackingOffError(f"source VM {ctx.vm_name} has changed block tracking off, which a warm copy "
                                     "needs: run `migrate sync` again with --enable-cbt to turn it on (it takes "
                                     "and removes a snapshot of the running VM)")
    cbt.enable_change_tracking(conn, moref)
    log.info("%s: changed block tracking turned on", ctx.vm_name)
    return True


def run_pass(session: Session, ctx: StepContext, row: SyncPass, previous: SyncPass | None,
             gate: Gate | None = None) -> list[str]:
    """Snapshot, copy (whole or the changed areas) and remove the snapshot; the disks copied whole."""
    conn, moref = ctx.services.vsphere, ctx.source.moref
    _prepare_target(session, ctx, previous)
    name = f"{SNAPSHOT_NAME} {row.number}"
    snapshot = cbt.create_snapshot(conn, moref, name, quiesce=cbt.tools_running(conn, moref))
    try:
        keys = disk_keys(ctx, snapshot.files, f"snapshot {snapshot.name!r} of {ctx.vm_name}")
        journal.sync_snapshot_taken(session, row, snapshot.moref, name,
                                    {slot: snapshot.change_ids.get(key) for slot, key in keys.items()})
        whole = []
        for disk in copied_disks(ctx):
            if not _copy_changes(session, ctx, row, disk, snapshot, keys[disk.slot], previous, gate or Gate()):
                whole.append(disk.slot)
            failpoints.reached("mid:sync_pass")  # the crash tests kill the pass between its disks
    except BaseException:
        _remove_after_failure(ctx, snapshot.moref)
        raise
    cbt.remove_snapshot(conn, snapshot.moref)
    return whole


def _prepare_target(session: Session, ctx: StepContext, previous: SyncPass | None) -> None:
    """Before pass 1 (or until its target VM exists), the checks and the target VM of `migrate run`; before a later
    pass, the source checked again (no other snapshot, the planned disks)."""
    if previous is None or ctx.state.target is None:
        preflight.run(ctx)
        create_shell.run(ctx)
        journal.save_state(session, ctx.vm_migration_id, ctx.state)
    else:
        preflight.check_source(ctx.vm, source_state(ctx.services.vsphere, ctx.source.moref))


def _copy_changes(session: Session, ctx: StepContext, row: SyncPass, disk: PlannedDisk, snapshot: cbt.Snapshot,
                  key: int, previous: SyncPass | None, gate: Gate) -> bool:
    """Copy the disk's areas changed since the previous pass; the whole disk when there is no change id to ask
    from (pass 1, or tracking was off then) or it is no longer valid. False when it was copied whole."""
    since = previous.change_ids.get(disk.slot) if previous is not None else None
    if since is not None and disk.slot in ctx.state.volumes:
        try:
            areas = cbt.changed_areas(ctx.services.vsphere, ctx.source.moref, snapshot.moref, key, disk.size_bytes,
                                      since)
        except ChangeIdInvalidError as exc:
            log.warning("%s: %s", ctx.vm_name, exc)
        else:
            copy_areas(session, ctx, row, disk, areas, gate)
            return True
    paused = gate()
    ctx.item = disk.slot
    detail = copy_disk.copy_whole(ctx)
    journal.save_state(session, ctx.vm_migration_id, ctx.state)
    read = detail["moved_bytes"] if detail["moved_bytes"] is not None else detail["bytes"]
    journal.sync_disk_copied(session, row, disk.slot, 1, read, read,
                             {"whole": True, "seconds": detail["seconds"], "volid": detail["volid"],
                              "transport": detail["transport"],
                              "rate_limit_bytes_per_second": detail["rate_limit_bytes_per_second"],
                              **({"paused_seconds": round(paused, 1)} if paused else {})})
    return False


def _remove_after_failure(ctx: StepContext, snapshot: str) -> None:
    """Remove a failed pass's snapshot; if that fails too, the next pass removes it (it is the toolkit's)."""
    try:
        cbt.remove_snapshot(ctx.services.vsphere, snapshot)
    except MigrateError as exc:
        log.warning("%s: the failed pass's snapshot %s stays until the next pass: %s", ctx.vm_name, snapshot, exc)


def undo_snapshots(ctx: UndoContext) -> None:
    """A rollback's undo of `migrate sync` on the source: remove the toolkit's snapshots a killed pass left there
    (each finished pass removed its own); the target VM and volumes go with `create_shell`'s and `copy_disk`'s."""
    if ctx.source.moref is None:
        return
    conn = ctx.services.vsphere
    for snapshot, name in reversed(cbt.toolkit_snapshots(conn, ctx.source.moref)):
        cbt.remove_snapshot(conn, snapshot)
        ctx.undone.append(f"removed snapshot {name!r} of the source")
