"""`migrate finalize`: read the wave and the target, plan, then (unless a dry run) apply each change, journaled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from migrate import failpoints
from migrate.clients.proxmox import PveClient, protection
from migrate.clients.proxmox.target import privileges_on
from migrate.db.execution_models import FinalizeChange
from migrate.db.plan_models import Target
from migrate.errors import MigrateError, PreflightError
from migrate.finalize import journal
from migrate.finalize.model import Action, Change, FinalizePlan, Kind
from migrate.finalize.plan import FinalizeOptions, plan_finalize
from migrate.finalize.target import read_target
from migrate.finalize.wave import read_wave
from migrate.target.privileges import FINALIZE_ROLE_NAME, finalize_privileges, missing_on_paths


@dataclass
class FinalizeResult:
    """The plan, and of its changes those made, those failed (with why) and what came back."""

    plan: FinalizePlan
    applied: list[Change] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # object id -> why
    details: dict[str, dict[str, Any]] = field(default_factory=dict)  # object id -> what came back (an archive)


def finalize_wave(sessions: sessionmaker[Session], wave: int, options: FinalizeOptions,
                  connect_target: Callable[[Target], PveClient]) -> FinalizeResult:
    """Plan the wave's finalize from the journal and the target; apply it unless `options.dry_run`.

    Safe to run again, also after a kill: the plan is made from what the target holds now, so what was done is
    not planned again and what was not is."""
    with sessions() as session:
        facts = read_wave(session, wave, options.only)
    pve = connect_target(facts.target)
    plan = plan_finalize(wave, facts, read_target(pve, facts.vms + facts.elsewhere, options.first_backup), options)
    result = FinalizeResult(plan)
    if options.dry_run:
        return result
    with sessions() as session:
        journal.settle(session, wave, {(str(c.kind), c.object_id) for c in plan.changes},
                       _considered(options, {vm.name for vm in facts.vms}))
    if not plan.changes:
        return result
    _check_privileges(pve, plan)
    with sessions() as session:
        run_id = journal.begin(session, wave, {"vms": list(options.only), "backup_job": options.backup_job,
                                               "backup_job_template": options.backup_job_template,
                                               "first_backup": options.first_backup,
                                               "max_restart": options.ha.max_restart,
                                               "max_relocate": options.ha.max_relocate})
    for change in plan.changes:
        _apply(sessions, run_id, wave, pve, change, options, result)
    with sessions() as session:
        journal.end(session, run_id, failed=bool(result.failed))
    return result


def _considered(options: FinalizeOptions, vms: set[str]) -> Callable[[FinalizeChange], bool]:
    """Whether this finalize's plan judged the object of a journaled change: one of its VMs, and for backups its
    job or its first backups."""
    def considered(change: FinalizeChange) -> bool:
        asked = {Kind.HA_RESOURCE: True, Kind.HA_RULE: True, Kind.BACKUP_JOB: change.object_id == options.backup_job,
                 Kind.FIRST_BACKUP: options.first_backup}
        return asked.get(Kind(change.kind), False) and set(change.vms) <= vms
    return considered


def _check_privileges(pve: PveClient, plan: FinalizePlan) -> None:
    """Refuse before any change, naming each privilege the token lacks and where (docs/proxmox-role.md)."""
    kinds = {change.kind for change in plan.changes}
    backups = [(c.params["vmid"], c.params["storage"]) for c in plan.changes if c.kind is Kind.FIRST_BACKUP]
    needs = finalize_privileges(ha=bool(kinds & {Kind.HA_RESOURCE, Kind.HA_RULE}),
                                backup_jobs=Kind.BACKUP_JOB in kinds, backups=backups)
    missing = missing_on_paths(needs, lambda path: privileges_on(pve, path))
    if missing:
        raise PreflightError(f"the API token lacks {', '.join(missing)}: grant the {FINALIZE_ROLE_NAME} role of "
                             "docs/proxmox-role.md for the finalize; nothing was changed")


def _apply(sessions: sessionmaker[Session], run_id: int, wave: int, pve: PveClient, change: Change,
           options: FinalizeOptions, result: FinalizeResult) -> None:
    with sessions() as session:
        change_id = journal.change_started(session, run_id, wave, change)
        failpoints.reached(f"before:finalize_{change.kind}")  # journaled, not sent
        try:
            detail = _send(pve, change, options) or {}
        except MigrateError as exc:  # one change's failure is recorded; the others go on
            journal.change_ended(session, change_id, error=str(exc))
            result.failed[change.object_id] = str(exc)
            return
        failpoints.reached(f"mid:finalize_{change.kind}")  # the crash tests kill it here: made, not journaled
        journal.change_ended(session, change_id, detail=detail)
        result.applied.append(change)
        if detail:
            result.details[change.object_id] = detail


def _send(pve: PveClient, change: Change, options: FinalizeOptions) -> dict[str, Any] | None:
    """Make one change on the target; what came back, for a first backup."""
    match change.kind, change.action:
        case Kind.HA_RESOURCE, Action.CREATE:
            protection.add_ha_resource(pve, change.params)
        case Kind.HA_RULE, Action.CREATE:
            protection.create_ha_rule(pve, change.params)
        case Kind.HA_RULE, Action.UPDATE:
            protection.update_ha_rule(pve, change.object_id, change.params)
        case Kind.BACKUP_JOB, Action.CREATE:
            protection.create_backup_job(pve, change.params)
        case Kind.BACKUP_JOB, Action.UPDATE:
            protection.update_backup_job(pve, change.object_id, change.params)
        case Kind.FIRST_BACKUP, Action.CREATE:
            return protection.back_up(pve, change.params["node"], change.params, options.backup_timeout)
        case _:
            raise ValueError(f"finalize cannot send {change.kind} {change.action}")
    return None
