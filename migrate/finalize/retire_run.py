"""`migrate finalize --retire-sources`: read the wave, the target and the sources, plan the retirement, then (unless
a dry run, and once removals are confirmed) rename, note and remove the sources, each change journaled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from migrate.clients.proxmox import PveClient
from migrate.clients.vsphere import retire as vcenter
from migrate.clients.vsphere.connection import VsphereConnection, connect as vsphere_connect
from migrate.db.models import Source
from migrate.db.plan_models import Target
from migrate.errors import MigrateError, UsageError
from migrate.finalize import journal
from migrate.finalize.model import Action, Change, FinalizePlan, MigratedVm
from migrate.finalize.plan import FinalizeOptions
from migrate.finalize.retire import RetireOptions, SourceFacts, check_confirmed, plan_retirement
from migrate.finalize.run import FinalizeResult
from migrate.finalize.target import read_target
from migrate.finalize.wave import read_wave
from migrate.source.store import VcenterAccess, endpoint_for

PASSWORD_ENV = "MIGRATE_VCENTER_PASSWORD"


def source_connector(env: Mapping[str, str]) -> Callable[[Source], VsphereConnection]:
    """Log in to a recorded source's vCenter with the password of the environment, never stored."""
    def connect_source(source: Source) -> VsphereConnection:
        password = env.get(PASSWORD_ENV)
        endpoint = endpoint_for(source, VcenterAccess(source=source.name), password or "")
        if not password:
            raise UsageError(f"no password for {endpoint.user}: set {PASSWORD_ENV}")
        return vsphere_connect(endpoint)
    return connect_source


def retire_sources(sessions: sessionmaker[Session], wave: int, options: FinalizeOptions, retire: RetireOptions,
                   connect_target: Callable[[Target], PveClient],
                   connect_source: Callable[[Source], VsphereConnection]) -> FinalizeResult:
    """Retire the sources of the wave's migrated VMs that are past their grace period, as `retire` says."""
    with sessions() as session:
        facts = read_wave(session, wave, options.only)
        sources = {s.id: s for s in session.scalars(select(Source).where(
            Source.id.in_({vm.source_id for vm in facts.vms if vm.source_id is not None})))}
        for source in sources.values():
            session.expunge(source)
    state = read_target(connect_target(facts.target), facts.vms)
    plan = FinalizePlan(wave, notes=list(facts.notes))
    result = FinalizeResult(plan)
    with ExitStack() as stack:
        connections = {sid: stack.enter_context(connect_source(source)) for sid, source in sources.items()}
        paired: list[tuple[Change, int | None]] = []  # each change with the source it goes to
        for source_id, vms in _by_source(facts.vms).items():
            found = _source_facts(connections[source_id], vms) if source_id in connections else {}
            changes, notes = plan_retirement(vms, found, state, retire, facts.target.name)
            paired += [(change, source_id) for change in changes]
            plan.notes += notes
        plan.changes = [change for change, _ in paired]
        if options.dry_run or not plan.changes:
            return result
        check_confirmed(plan.changes, retire.confirmed)
        with sessions() as session:
            run_id = journal.begin(session, wave, {"retire_sources": True, "grace_days": retire.grace_days,
                                                   "remove": retire.remove, "vms": list(options.only)})
        for change, source_id in paired:
            _apply(sessions, run_id, wave, connections[source_id], change, result)
        with sessions() as session:
            journal.end(session, run_id, failed=bool(result.failed))
    return result


def _by_source(vms: list[MigratedVm]) -> dict[int | None, list[MigratedVm]]:
    grouped: dict[int | None, list[MigratedVm]] = defaultdict(list)
    for vm in vms:
        grouped[vm.source_id].append(vm)
    return grouped


def _source_facts(conn: VsphereConnection, vms: list[MigratedVm]) -> dict[str, SourceFacts | None]:
    found: dict[str, SourceFacts | None] = {}
    for vm in vms:
        if vm.source_moref:
            seen = vcenter.source_vm(conn, vm.source_moref)
            found[vm.source_moref] = SourceFacts(seen.name, seen.annotation, seen.power_state) if seen else None
    return found


def _apply(sessions: sessionmaker[Session], run_id: int, wave: int, conn: VsphereConnection, change: Change,
           result: FinalizeResult) -> None:
    if change.object_id in result.failed:
        return  # its rename failed: the source is not removed either
    with sessions() as session:
        change_id = journal.change_started(session, run_id, wave, change)
        try:
            _send(conn, change)
        except MigrateError as exc:  # one source's failure is recorded; the others go on
            journal.change_ended(session, change_id, error=str(exc))
            result.failed[change.object_id] = str(exc)
            return
        journal.change_ended(session, change_id)
        result.applied.append(change)


def _send(conn: VsphereConnection, change: Change) -> None:
    params: dict[str, Any] = change.params
    if change.action is Action.RENAME:
        vcenter.rename_and_note(conn, params["moref"], params["name"], params["annotation"])
    elif change.action is Action.UNREGISTER:
        vcenter.unregister(conn, params["moref"])
    elif change.action is Action.DELETE:
        vcenter.delete(conn, params["moref"])
    else:
        raise ValueError(f"cannot send {change.action} to vCenter")
