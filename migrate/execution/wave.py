"""Running a planned wave: the itinerary of steps, and `execute_wave`, the library entry of `migrate run`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from migrate.clients.proxmox import read_target
from migrate.db.execution_models import VmMigration
from migrate.db.models import VmRecord
from migrate.db.plan_models import Target
from migrate.errors import UsageError
from migrate.execution import journal
from migrate.execution.engine import Limits, Retry, WaveOutcome, WorkItem, run_wave
from migrate.execution.itinerary import Step
from migrate.execution.locks import VmLocker
from migrate.execution.services import RunOptions, Services
from migrate.execution.steps import (
    attach,
    copy_disk,
    create_shell,
    disconnect_source_nics,
    preflight,
    start_target,
    stop_source,
    verify,
)
from migrate.execution.steps.common import disk_slots
from migrate.planning.model import Plan
from migrate.planning.stale import plan_is_stale
from migrate.planning.store import load_plan

ITINERARY: list[Step] = [
    Step("preflight", preflight.run),
    Step("create_shell", create_shell.run),
    Step("stop_source", stop_source.run),
    Step("copy_disk", copy_disk.run, items=disk_slots),
    Step("attach", attach.run),
    Step("disconnect_source_nics", disconnect_source_nics.run),
    Step("start_target", start_target.run, applies=start_target.applies),
    Step("verify", verify.run),
]

ServicesFactory = Callable[[Target, RunOptions], Services]


@dataclass
class WaveRun:
    """What `execute_wave` did: the outcome per VM, or with --dry-run what it would do."""

    wave: int
    plan_version: int
    outcome: WaveOutcome
    would_run: list[dict[str, Any]] = field(default_factory=list)
    run_id: int | None = None


def execute_wave(sessions: sessionmaker[Session], wave: int, options: RunOptions, services_factory: ServicesFactory,
                 progress: Callable[[str, str, float], None] | None = None) -> WaveRun:
    """Migrate the VMs of wave `wave` by its newest plan; a second call resumes where the first stopped."""
    with sessions() as session:
        record, plan = load_plan(session, wave)
        target = session.get(Target, record.target_id)
        session.expunge(target)
        migrations = journal.ensure_vm_migrations(session, wave, [(vm.vm_id, vm.vm_name) for vm in plan.vms])
        work = _work(session, plan, migrations)
    if options.dry_run:
        return WaveRun(wave, record.version, WaveOutcome(), [_intent(item) for item in work])
    services = services_factory(target, options)
    try:
        snapshot = read_target(services.pve, target.name)
        # Read after the target: a VM another run began (and may have created) is journaled before it is made,
        # so it is no longer fresh here and its VMID, name and MAC are not taken for a stranger's.
        with sessions() as session:
            fresh = _fresh(session, wave)
        reasons = plan_is_stale(replace(plan, vms=tuple(v for v in plan.vms if v.vm_id in fresh)), snapshot)
        if reasons:
            raise UsageError(f"the plan of wave {wave} is stale: " + "; ".join(reasons))
        with sessions() as session:
            run_id = journal.begin_run(session, wave, _journaled(options)).id
        limits = Limits(total=options.parallel, per_resource=options.per_resource)
        retry = Retry(attempts=options.step_attempts, backoff=options.retry_backoff)
        outcome = run_wave(sessions, VmLocker(sessions.kw["bind"]), run_id, work, ITINERARY, services, limits,
                           progress, retry)
        with sessions() as session:
            journal.end_run(session, run_id, "failed" if outcome.failed else "succeeded")
    finally:
        services.close()
    return WaveRun(wave, record.version, outcome, run_id=run_id)


def _fresh(session: Session, wave: int) -> set[int]:
    """The VMs of the wave no run has begun: nothing of theirs can be on the target yet."""
    rows = session.execute(select(VmMigration.vm_id, VmMigration.state).where(
        VmMigration.wave == wave, VmMigration.status.in_(("pending", "failed"))))
    return {vm_id for vm_id, state in rows if not state}


def _work(session: Session, plan: Plan, migrations: list[VmMigration]) -> list[WorkItem]:
    by_vm = {m.vm_id: m for m in migrations}
    facts = dict(session.execute(select(VmRecord.id, VmRecord.facts).where(VmRecord.id.in_(list(by_vm)))).all())
    items = []
    for vm, document in zip(plan.vms, plan.to_dict()["vms"]):
        migration = by_vm[vm.vm_id]
        if migration.status in ("done", "rolled_back"):
            continue
        fact = facts.get(vm.vm_id) or {}
        source = {"moref": fact.get("moref"), "datacenter": fact.get("datacenter"),
                  "power_state": fact.get("power_state")}
        resources = [f"node:{vm.node}"] + sorted({f"datastore:{d.datastore}" for d in vm.disks if d.datastore})
        items.append(WorkItem(migration.id, vm.vm_name, {"vm": document, "source": source}, tuple(resources)))
    return items


def _intent(item: WorkItem) -> dict[str, Any]:
    vm = item.plan["vm"]
    return {"vm": item.vm_name, "node": vm["node"], "vmid": vm["vmid"],
            "disks": [f"{d['slot']} {d['source_file']} -> {d['storage']}" for d in vm["disks"] if d.get("source_file")]}


def _journaled(options: RunOptions) -> dict[str, Any]:
    return {"parallel": options.parallel, "start": options.start, "verify": options.verify,
            "power_off": options.power_off, "insecure_source": options.insecure_source,
            "datastore_paths": dict(options.datastore_paths)}
