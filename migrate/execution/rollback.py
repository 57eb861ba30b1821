"""Back to vSphere: destroy the target VMs the toolkit created (never another) and the volumes the journal lists,
reconnect and power on the sources the toolkit stopped, and record it. A second rollback does nothing.

What each step did is undone by the undo the step declares beside it (`Step.undo`), called in `undo_order`:
the target first, the source last. Every undo is called, whether or not its step was journaled: each reads the
journaled state (and proves the target VM ours by its marker, owner line and VMID: `Ownership`), so it undoes
exactly what is there, also what an attempt killed before journaling left, and never a clone of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from migrate.db.execution_models import FinalizeChange, RunStatus, StepStatus, VmMigration, VmStatus
from migrate.db.models import VmRecord
from migrate.clients.proxmox.vm import Ownership
from migrate.db.plan_models import Target
from migrate.errors import NotFoundError, TargetApiError, UsageError
from migrate.execution import journal
from migrate.execution.itinerary import Itinerary, Services, UndoContext, undo_order
from migrate.execution.services import RunOptions
from migrate.execution.steps import ITINERARY
from migrate.execution.sync import undo_snapshots
from migrate.execution.locks import VmLocker
from migrate.execution.vm_plan import SourceRef
from migrate.execution.vm_state import VmState
from migrate.planning.model import PlannedVm
from migrate.planning.store import load_plan


@dataclass
class RollbackOutcome:
    rolled_back: dict[str, list[str]] = field(default_factory=dict)  # VM -> what was undone
    failed: dict[str, str] = field(default_factory=dict)
    noted: dict[str, list[str]] = field(default_factory=dict)  # VM -> what was left alone (clones of ours)


@dataclass(frozen=True)
class _Chosen:
    """A VM migration to roll back, read before the services connect."""

    migration_id: int
    vm_name: str
    ownership: Ownership | None  # None if no plan of its wave names the VM now
    source: SourceRef
    state: VmState
    synced: bool = False  # `migrate sync` ran for it: a killed pass may have left a snapshot on the source


def rollback(sessions: sessionmaker[Session], services_factory: Callable[[Target, RunOptions], Services], *,
             wave: int | None = None, vm_name: str | None = None) -> RollbackOutcome:
    """Roll back the VM migrations of `wave`, or the one of VM `vm_name`."""
    with sessions() as session:
        migrations = _chosen(session, wave, vm_name)
        if not migrations:
            return RollbackOutcome()
        _refuse_retired(session, migrations)
        target, work = _read(session, migrations)
    services = services_factory(target, RunOptions())  # before the journal: a missing password journals nothing
    outcome = RollbackOutcome()
    try:
        with sessions() as session:
            run_id = journal.begin_run(session, min(m.wave for m in migrations), {"rollback": True}).id
        locker = VmLocker(sessions.kw["bind"])
        for chosen in work:
            # A VM that a run, a sync pass or a rehearsal works on now is left to it: undoing under its feet
            # would destroy what it is writing, or remove the snapshot it reads.
            with locker.held(chosen.migration_id) as free:
                if free:
                    _roll_back(sessions, run_id, chosen, services, outcome)
                else:
                    outcome.failed[chosen.vm_name] = (f"another process works on {chosen.vm_name} now (`migrate "
                                                      "run`, `sync`, `cutover` or `test`): roll it back once it has "
                                                      "ended")
        with sessions() as session:
            journal.end_run(session, run_id, RunStatus.FAILED if outcome.failed else RunStatus.SUCCEEDED)
    finally:
        services.close()
    return outcome


def _chosen(session: Session, wave: int | None, vm_name: str | None) -> list[VmMigration]:
    query = select(VmMigration).where(VmMigration.status != VmStatus.ROLLED_BACK).order_by(VmMigration.id)
    if wave is not None:
        query = query.where(VmMigration.wave == wave)
        if session.scalar(select(VmMigration.id).where(VmMigration.wave == wave).limit(1)) is None:
            raise NotFoundError(f"wave {wave} has no migration in the journal: `migrate status` lists the waves that ran")
    if vm_name is not None:
        query = query.where(VmMigration.vm_name == vm_name)
        if session.scalar(select(VmMigration.id).where(VmMigration.vm_name == vm_name)) is None:
            raise NotFoundError(f"VM {vm_name} has no migration in the journal: check the name with `migrate status`")
    return list(session.scalars(query))


def _refuse_retired(session: Session, migrations: list[VmMigration]) -> None:
    """A VM whose source `migrate finalize --retire-sources` renamed or removed is not rolled back: its source is
    no longer what the rollback would power on, and its target is the VM in service."""
    rows = session.execute(select(FinalizeChange.vms, FinalizeChange.action, FinalizeChange.finished_at).where(
        FinalizeChange.kind == "retire_source", FinalizeChange.status == StepStatus.DONE,
        FinalizeChange.wave.in_({m.wave for m in migrations})))
    chosen = {m.vm_name for m in migrations}
    done = {"rename": "renamed", "unregister": "unregistered", "delete": "deleted"}
    retired = sorted({f"{name} ({done.get(action, action)} {finished:%Y-%m-%d})" for names, action, finished in rows
                      for name in names if name in chosen})
    if retired:
        raise UsageError(f"the source of {', '.join(retired)} was retired by `migrate finalize --retire-sources`: "
                         "rollback refused; its target is the VM in service")


def _read(session: Session, migrations: list[VmMigration]) -> tuple[Target, list[_Chosen]]:
    """The target of the migrations' waves, and what their undos need: what proves each VM's target VM ours,
    its source and its state."""
    waves = {m.wave for m in migrations}
    plans = {w: load_plan(session, w) for w in waves}
    planned = {(w, vm.vm_id): vm for w, (_, plan) in plans.items() for vm in plan.vms}
    ids = [m.vm_id for m in migrations]
    morefs = dict(session.execute(select(VmRecord.id, VmRecord.moref).where(VmRecord.id.in_(ids))).all())
    target = session.get(Target, next(iter(plans.values()))[0].target_id)
    session.expunge(target)
    synced = journal.synced(session, [m.id for m in migrations])
    chosen = []
    for m in migrations:
        state = VmState.from_dict(m.state)
        chosen.append(_Chosen(m.id, m.vm_name, _ownership(m.id, planned.get((m.wave, m.vm_id)), state),
                              SourceRef(morefs.get(m.vm_id)), state, m.id in synced))
    return target, chosen


def _ownership(migration_id: int, vm: PlannedVm | None, state: VmState) -> Ownership | None:
    """The VM this migration made: at the VMID its journal recorded, else (an attempt killed before journaling
    it) the planned one. Marker, owner line and VMID prove it; the name and MACs may have been re-planned since."""
    if vm is None:
        return None
    return Ownership(vm.vm_key, state.target.vmid if state.target else vm.vmid, migration_id)


def _roll_back(sessions: sessionmaker[Session], run_id: int, chosen: _Chosen, services: Services,
               outcome: RollbackOutcome) -> None:
    """Undo one VM's migration, journaled as a `rollback` step of its own."""
    ctx = UndoContext(chosen.ownership, chosen.source, chosen.state, services)
    with sessions() as session:
        step = journal.step_started(session, chosen.migration_id, run_id, journal.ROLLBACK_STEP, "")
        try:
            _undo(ctx, also=(undo_snapshots,) if chosen.synced else ())
        except Exception as exc:  # noqa: BLE001  (one VM's failure is recorded; the others go on)
            # Its target may be gone already: say so, and that a second rollback finishes the job.
            error = _unfinished(exc, ctx.undone)
            journal.step_failed(session, step, error, chosen.state)
            outcome.failed[chosen.vm_name] = error
            _note(outcome, chosen.vm_name, ctx.noted)
            return
        journal.step_done(session, step, {"undone": ctx.undone}, replace(chosen.state, rolled_back=ctx.undone))
        # With the status, in one commit: the steps the rollback undid no longer count as done, so that
        # `migrate run --again` can migrate the VM again from the first step.
        journal.undo_steps(session, chosen.migration_id)
        journal.discard_sync_passes(session, chosen.migration_id)
        session.get(VmMigration, chosen.migration_id).status = VmStatus.ROLLED_BACK
        session.commit()
        outcome.rolled_back[chosen.vm_name] = ctx.undone
        _note(outcome, chosen.vm_name, ctx.noted)


def _note(outcome: RollbackOutcome, vm_name: str, noted: list[str]) -> None:
    if noted:
        outcome.noted[vm_name] = noted


def _unfinished(exc: Exception, undone: list[str]) -> str:
    done = f" (done before it: {'; '.join(undone)})" if undone else ""
    return f"{exc}{done}: the rollback did not finish; roll back again once the cause is fixed"


def _undo(ctx: UndoContext, itinerary: Itinerary = ITINERARY,
          also: Sequence[Callable[[UndoContext], None]] = ()) -> None:
    """Call the steps' undos in rollback order, each noting in `ctx.undone` what it undid as it is undone, then
    the undos `also` given (a sync's, on the source); then fail naming what had to be left (the source comes back
    all the same)."""
    for step in undo_order(itinerary):
        step.undo.action(ctx)
    for action in also:
        action(ctx)
    if ctx.left:
        raise TargetApiError("; ".join(ctx.left))
