"""Back to vSphere: destroy the target VMs the toolkit created (never another) and the volumes the journal lists,
reconnect and power on the sources the toolkit stopped, and record it. A second rollback does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.proxmox.target import privileges_on
from migrate.clients.vsphere import power
from migrate.db.execution_models import RunStatus, VmMigration, VmStatus
from migrate.db.models import VmRecord
from migrate.db.plan_models import Target
from migrate.errors import NotFoundError, TargetApiError
from migrate.execution import journal
from migrate.execution.itinerary import Services
from migrate.execution.services import RunOptions
from migrate.execution.vm_state import VmState
from migrate.planning.store import load_plan


@dataclass
class RollbackOutcome:
    rolled_back: dict[str, list[str]] = field(default_factory=dict)  # VM -> what was undone
    failed: dict[str, str] = field(default_factory=dict)


def rollback(sessions: sessionmaker[Session], services_factory: Callable[[Target, RunOptions], Services], *,
             wave: int | None = None, vm_name: str | None = None) -> RollbackOutcome:
    """Roll back the VM migrations of `wave`, or the one of VM `vm_name`."""
    with sessions() as session:
        migrations = _chosen(session, wave, vm_name)
        if not migrations:
            return RollbackOutcome()
        waves = {m.wave for m in migrations}
        plans = {w: load_plan(session, w) for w in waves}
        keys = {(w, vm.vm_id): vm.vm_key for w, (_, plan) in plans.items() for vm in plan.vms}
        ids = [m.vm_id for m in migrations]
        morefs = dict(session.execute(select(VmRecord.id, VmRecord.moref).where(VmRecord.id.in_(ids))).all())
        target = session.get(Target, next(iter(plans.values()))[0].target_id)
        session.expunge(target)
        run_id = journal.begin_run(session, min(waves), {"rollback": True}).id
        work = [(m.id, m.vm_name, keys.get((m.wave, m.vm_id)), morefs.get(m.vm_id), VmState.from_dict(m.state))
                for m in migrations]
    services = services_factory(target, RunOptions())
    outcome = RollbackOutcome()
    try:
        for migration_id, name, key, moref, state in work:
            with sessions() as session:
                step = journal.step_started(session, migration_id, run_id, journal.ROLLBACK_STEP, "")
                undone: list[str] = []
                try:
                    _undo(services, key, moref, state, undone)
                except Exception as exc:  # noqa: BLE001  (one VM's failure is recorded; the others go on)
                    # Its target may be gone already: say so, and that a second rollback finishes the job.
                    error = _unfinished(exc, undone)
                    journal.step_failed(session, step, error, state)
                    outcome.failed[name] = error
                    continue
                journal.step_done(session, step, {"undone": undone}, replace(state, rolled_back=undone))
                # With the status, in one commit: the steps the rollback undid no longer count as done, so that
                # `migrate run --again` can migrate the VM again from the first step.
                journal.undo_steps(session, migration_id)
                session.get(VmMigration, migration_id).status = VmStatus.ROLLED_BACK
                session.commit()
                outcome.rolled_back[name] = undone
        with sessions() as session:
            journal.end_run(session, run_id, RunStatus.FAILED if outcome.failed else RunStatus.SUCCEEDED)
    finally:
        services.close()
    return outcome


def _chosen(session: Session, wave: int | None, vm_name: str | None) -> list[VmMigration]:
    query = select(VmMigration).where(VmMigration.status != VmStatus.ROLLED_BACK).order_by(VmMigration.id)
    if wave is not None:
        query = query.where(VmMigration.wave == wave)
    if vm_name is not None:
        query = query.where(VmMigration.vm_name == vm_name)
        if session.scalar(select(VmMigration.id).where(VmMigration.vm_name == vm_name)) is None:
            raise NotFoundError(f"VM {vm_name} has no migration in the journal: check the name with `migrate status`")
    return list(session.scalars(query))


def _unfinished(exc: Exception, undone: list[str]) -> str:
    done = f" (done before it: {'; '.join(undone)})" if undone else ""
    return f"{exc}{done}: the rollback did not finish; roll back again once the cause is fixed"


def _undo(services: Services, vm_key: str | None, moref: str | None, state: VmState, undone: list[str]) -> None:
    """Undo what the journal says was done, appending each thing undone to `undone` as it is."""
    if vm_key and (gone := pvevm.destroy_ours(services.pve, vm_key)) is not None:
        undone.append(f"destroyed target VM {gone.vmid} on {gone.node}")
    node = state.target.node if state.target else None
    left = []
    for volid in state.volumes.values():
        if node and pvevm.volume_exists(services.pve, node, volid):
            try:
                _delete_left_volume(services, node, volid)
            except TargetApiError as exc:
                left.append(str(exc))  # the source comes back all the same
                continue
            undone.append(f"deleted volume {volid}")
    if moref and state.source_nics_disconnected:
        power.set_nics_connected(services.vsphere, moref, True)
        undone.append("reconnected the source NICs")
    # Stopped by a finished stop_source, or by one killed before it was journaled (it was on at preflight).
    if moref and (state.source_stopped or state.source_power_state == "poweredOn"):
        power.power_on(services.vsphere, moref)
        undone.append("powered the source on")
    if left:
        raise TargetApiError("; ".join(left))


def _delete_left_volume(services: Services, node: str, volid: str) -> None:
    """Delete a journaled volume that destroying the VM did not take (the VM was gone, or never had it).

    Only this needs `Datastore.Allocate`, which the toolkit's role leaves out (it lets a token delete any volume
    of the storage): without it, the volume is named for an administrator to remove.
    """
    storage = volid.split(":", 1)[0]
    if "Datastore.Allocate" not in privileges_on(services.pve, f"/storage/{storage}"):
        raise TargetApiError(f"volume {volid} is still on storage {storage} and the API token lacks Datastore.Allocate "
                             f"on /storage/{storage} to delete it (the role leaves it out): run `pvesm free {volid}` "
                             "on a node as an administrator, then roll back again")
    pvevm.delete_volume(services.pve, node, volid)
