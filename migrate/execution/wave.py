"""Running a planned wave: `execute_wave`, the library entry of `migrate run`, runs `steps.ITINERARY` for its VMs."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from migrate.db.execution_models import RunStatus, VmMigration, VmStatus
from migrate.db.models import VmRecord
from migrate.db.plan_models import Target, Wave
from migrate.discovery.target import read_target
from migrate.errors import UsageError
from migrate.execution import journal
from migrate.execution.engine import Limits, Retry, WaveOutcome, WorkItem, run_wave
from migrate.execution.itinerary import Services
from migrate.execution.locks import VmLocker
from migrate.execution.services import RunOptions
from migrate.execution.bandwidth import copy_rates
from migrate.execution.bandwidth import describe as describe_rates
from migrate.execution import rehearsal_journal
from migrate.execution.steps import ITINERARY
from migrate.execution.vm_plan import SourceRef, VmPlan
from migrate.execution.vm_state import VmState
from migrate.planning.model import Plan
from migrate.planning.stale import plan_is_stale
from migrate.planning.store import load_plan
from migrate.waves.policy import StopPolicy
from migrate.waves.store import stop_policy, wave_decisions
from migrate.words import counted, size_text

ServicesFactory = Callable[[Target, RunOptions], Services]  # a run's connections, closed at its end
WAVE_STARTED = "wave_started"

log = logging.getLogger(__name__)


@dataclass
class WaveRun:
    """What `execute_wave` did: the outcome per VM, or with --dry-run what it would do."""

    wave: int
    plan_version: int
    outcome: WaveOutcome
    would_run: list[dict[str, Any]] = field(default_factory=list)
    run_id: int | None = None
    left_out: list[str] = field(default_factory=list)  # rolled-back VMs this run did not migrate again
    rollback_unfinished: list[str] = field(default_factory=list)  # VMs left out: their rollback did not finish
    no_agent: list[str] = field(default_factory=list)  # VMs done whose guest agent did not answer
    ips_missing: dict[str, list[str]] = field(default_factory=dict)  # VM -> static addresses that did not come back
    lookalikes: dict[str, list[str]] = field(default_factory=dict)  # VM -> VMs that look like its target (clones)
    held_back: list[str] = field(default_factory=list)  # VMs of a later cutover order, not begun: an earlier one failed


def execute_wave(sessions: sessionmaker[Session], wave: int, options: RunOptions, services_factory: ServicesFactory,
                 progress: Callable[[str, str, float], None] | None = None, again: Collection[str] = (),
                 only: Collection[str] = (), exclude: Collection[str] = ()) -> WaveRun:
    """Migrate the VMs of wave `wave` by its newest plan; a second call resumes where the first stopped.

    Rolled-back VMs are left out, unless named in `again`: those start again from a clean slate. A VM whose
    rollback began and did not finish is left out whatever `again` says: its target may be gone already.
    With `only`, just those VMs of the plan are run, and `exclude` leaves VMs out; the others are not touched.
    VMs run by their cutover order (the wave document's `order`, lower first, VMs without one last): a group
    begins when the one before it is done, and none begins after a group with a failed VM.
    """
    with sessions() as session:
        record, plan = load_plan(session, wave)
        for names in (again, only, exclude):
            check_names(plan, wave, names)
        target = session.get(Target, record.target_id)
        session.expunge(target)
        migrations = journal.ensure_vm_migrations(session, wave, [(vm.vm_id, vm.vm_name) for vm in plan.vms])
        readmitted, left_out = _rolled_back(migrations, again)
        unfinished = sorted(m.vm_name for m in migrations if journal.rollback_unfinished(m))
        readmitted_vms = {m.vm_id for m in migrations if m.id in readmitted}  # fresh too: their targets are gone
        policy = stop_policy(session.get(Wave, record.wave_id))
        chosen = [item for item in work_items(session, plan, migrations, set(readmitted), policy)
                  if (not only or item.vm_name in only) and item.vm_name not in exclude]
        groups = _cutover_groups(session, chosen)
        if options.require_test and not options.dry_run:
            rehearsal_journal.require_rehearsed(session, wave, [(item.plan.vm.vm_id, item.vm_name) for item in chosen])
    work = [item for group in groups for item in group]
    if options.dry_run:
        return WaveRun(wave, record.version, WaveOutcome(), [_intent(item) for item in work], left_out=left_out,
                       rollback_unfinished=unfinished)
    options = replace(options, copy_rates=copy_rates([item.plan.vm.node for item in work], options.parallel,
                                                     options.per_resource, options.bwlimit_mib_s,
                                                     options.bwlimit_node_mib_s))
    services = services_factory(target, options)
    try:
        snapshot = read_target(services.pve, target.name)
        # Read after the target: a VM another run began (and may have created) is journaled before it is made,
        # so it is no longer fresh here and its VMID, name and MAC are not taken for a stranger's.
        with sessions() as session:
            fresh = _fresh(session, wave) | readmitted_vms
        reasons = plan_is_stale(replace(plan, vms=tuple(v for v in plan.vms if v.vm_id in fresh)), snapshot)
        if reasons:
            raise UsageError(f"the plan of wave {wave} is stale: " + "; ".join(reasons))
        with sessions() as session:
            journal.readmit(session, readmitted)
            run_id = journal.begin_run(session, wave, _journaled(services.options, again, policy, only, exclude)).id
        to_read = sum(d.size_bytes for item in work for d in item.plan.vm.disks if d.source_file)
        log.info("wave %d run %d: %s, %s of disks to read", wave, run_id, counted(len(work), "VM"), size_text(to_read),
                 extra={"event": WAVE_STARTED, "vms": len(work), "bytes": to_read})
        if options.copy_rates:
            log.info("bandwidth limit: each copy reads at most %s", describe_rates(options.copy_rates))
        limits = Limits(total=options.parallel, per_resource=options.per_resource)
        retry = Retry(attempts=options.step_attempts, backoff=options.retry_backoff)
        outcome, held_back = WaveOutcome(), []
        for group in groups:
            if outcome.failed:
                held_back += [item.vm_name for item in group]
                continue
            _merge(outcome, run_wave(sessions, VmLocker(sessions.kw["bind"]), run_id, group, ITINERARY, services,
                                     limits, progress, retry))
        with sessions() as session:
            journal.end_run(session, run_id, RunStatus.FAILED if outcome.failed else RunStatus.SUCCEEDED)
            no_agent = _no_agent(session, work, outcome)
            ips_missing = _ips_missing(session, work, outcome)
            lookalikes = _lookalikes(session, work)
    finally:
        services.close()
    return WaveRun(wave, record.version, outcome, run_id=run_id, left_out=left_out, no_agent=no_agent,
                   ips_missing=ips_missing,
                   rollback_unfinished=unfinished, lookalikes=lookalikes, held_back=sorted(held_back))


def _cutover_groups(session: Session, work: list[WorkItem]) -> list[list[WorkItem]]:
    """The work in cutover-order groups, lower order first, the VMs without an order last."""
    decisions = wave_decisions(session)
    groups: dict[float, list[WorkItem]] = defaultdict(list)
    for item in work:
        decision = decisions.get(item.plan.vm.vm_id)
        order = decision.cutover_order if decision is not None else None
        groups[float("inf") if order is None else order].append(item)
    return [groups[order] for order in sorted(groups)]


def _merge(outcome: WaveOutcome, more: WaveOutcome) -> None:
    outcome.done += more.done
    outcome.failed.update(more.failed)
    outcome.skipped_locked += more.skipped_locked
    outcome.done_by_another += more.done_by_another


def _rolled_back(migrations: list[VmMigration], again: Collection[str]) -> tuple[list[int], list[str]]:
    """The rolled-back VMs named to be migrated again (their ids), and the others (their names)."""
    rolled_back = [m for m in migrations if m.status == VmStatus.ROLLED_BACK]
    return ([m.id for m in rolled_back if m.vm_name in again],
            sorted(m.vm_name for m in rolled_back if m.vm_name not in again))


def check_names(plan: Plan, wave: int, again: Collection[str]) -> None:
    """A UsageError naming the VMs given that are not in the wave's plan."""
    unknown = sorted(set(again) - {vm.vm_name for vm in plan.vms})
    if unknown:
        raise UsageError(f"{', '.join(unknown)} not in wave {wave}: check the names with "
                         f"`migrate status --wave {wave}`")


def _ips_missing(session: Session, work: list[WorkItem], outcome: WaveOutcome) -> dict[str, list[str]]:
    done = [item.vm_migration_id for item in work if item.vm_name in outcome.done]
    return {m.vm_name: missing for m in session.scalars(select(VmMigration).where(VmMigration.id.in_(done)))
            if (missing := VmState.from_dict(m.state).ips_missing)}


def _no_agent(session: Session, work: list[WorkItem], outcome: WaveOutcome) -> list[str]:
    done = [item.vm_migration_id for item in work if item.vm_name in outcome.done]
    return sorted(m.vm_name for m in session.scalars(select(VmMigration).where(VmMigration.id.in_(done)))
                  if VmState.from_dict(m.state).agent is False)


def _lookalikes(session: Session, work: list[WorkItem]) -> dict[str, list[str]]:
    """The VMs that carry the marker of one of this run's VMs but are not its target (clones): left alone, named."""
    ids = [item.vm_migration_id for item in work]
    states = session.scalars(select(VmMigration).where(VmMigration.id.in_(ids)))
    return {m.vm_name: found for m in states if (found := VmState.from_dict(m.state).lookalikes)}


def _fresh(session: Session, wave: int) -> set[int]:
    """The VMs of the wave no run has begun: nothing of theirs can be on the target yet."""
    rows = session.execute(select(VmMigration.vm_id, VmMigration.state).where(
        VmMigration.wave == wave, VmMigration.status.in_((VmStatus.PENDING, VmStatus.FAILED))))
    return {vm_id for vm_id, state in rows if not state}


def work_items(session: Session, plan: Plan, migrations: list[VmMigration], readmitted: set[int],
               policy: StopPolicy) -> list[WorkItem]:
    """The plan's VMs still to migrate (not done, not rolled back unless readmitted), with their sources."""
    by_vm = {m.vm_id: m for m in migrations}
    sources = source_refs(session, list(by_vm))
    items = []
    for vm in plan.vms:
        migration = by_vm[vm.vm_id]
        if (migration.status == VmStatus.DONE or journal.rollback_unfinished(migration)
                or (migration.status == VmStatus.ROLLED_BACK and migration.id not in readmitted)):
            continue
        resources = [f"node:{vm.node}"] + sorted({f"datastore:{d.datastore}" for d in vm.disks if d.datastore})
        source = sources.get(vm.vm_id, SourceRef(None))
        items.append(WorkItem(migration.id, vm.vm_name, VmPlan(vm, source, policy), tuple(resources)))
    return items


def source_refs(session: Session, vm_ids: list[int]) -> dict[int, SourceRef]:
    """Where each VM's source is, as the newest discovery saw it."""
    rows = session.execute(select(VmRecord.id, VmRecord.moref, VmRecord.datacenter, VmRecord.power_state)
                           .where(VmRecord.id.in_(vm_ids)))
    return {vm_id: SourceRef(moref, datacenter, power_state) for vm_id, moref, datacenter, power_state in rows}


def _intent(item: WorkItem) -> dict[str, Any]:
    vm = item.plan.vm
    return {"vm": item.vm_name, "node": vm.node, "vmid": vm.vmid,
            "disks": [f"{d.slot} {d.source_file} -> {d.storage}" for d in vm.disks if d.source_file]}


def _journaled(options: RunOptions, again: Collection[str], policy: StopPolicy, only: Collection[str],
               exclude: Collection[str]) -> dict[str, Any]:
    return {"parallel": options.parallel, "start": options.start, "verify": options.verify,
            "stop": asdict(policy), "insecure_source": options.insecure_source,
            "agent_timeout": options.agent_timeout, "stall_timeout": options.stall_timeout,
            "attempts": options.step_attempts, "datastore_paths": dict(options.datastore_paths),
            "again": sorted(again), "only": sorted(only), "exclude": sorted(exclude),
            "bwlimit_mib_s": options.bwlimit_mib_s, "bwlimit_node_mib_s": options.bwlimit_node_mib_s,
            "copy_rates": dict(options.copy_rates)}
