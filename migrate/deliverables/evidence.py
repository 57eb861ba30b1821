"""The wave's evidence, what the consultant hands over after finalize: per VM what was migrated and how it was
checked, how long it was down, its addresses before and after, its HA and backups on the target now; the journal
of who ran what and when; the sign-off fields. Gathered from the journal and one read of the target, so it
states what is there, not what was meant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from migrate.clients.proxmox import PveClient
from migrate.db.execution_models import FinalizeChange, MigrationRun, StepRun, StepStatus, VmMigration
from migrate.db.models import VmRecord
from migrate.db.plan_models import Target
from migrate.execution.status import wave_status
from migrate.finalize.backup import covers
from migrate.finalize.model import MigratedVm, TargetState
from migrate.finalize.target import read_target
from migrate.finalize.wave import read_wave
from migrate.inventory.model import Vm


@dataclass
class Evidence:
    """A wave's evidence: a row per VM and the journal."""

    wave: int
    target: str
    vms: list[dict[str, Any]] = field(default_factory=list)  # one row per VM, keys as EVIDENCE_KEYS
    journal: list[dict[str, Any]] = field(default_factory=list)  # every run, step and finalize change, in time order


def gather_evidence(sessions: sessionmaker[Session], wave: int,
                    connect_target: Callable[[Target], PveClient]) -> Evidence:
    """The wave's evidence: the journal read now, the target read now."""
    with sessions() as session:
        facts = read_wave(session, wave)
        state = read_target(connect_target(facts.target), facts.vms, backups=True)
        return Evidence(wave, facts.target.name, _vm_rows(session, wave, facts.vms, state), _journal(session, wave))


def _vm_rows(session: Session, wave: int, migrated: list[MigratedVm], state: TargetState) -> list[dict[str, Any]]:
    by_name = {vm.name: vm for vm in migrated}
    migrations = {m.vm_name: m for m in session.scalars(select(VmMigration).where(VmMigration.wave == wave))}
    verified = _verified(session, [m.id for m in migrations.values()])
    finalized = _finalized(session, wave)
    rows = []
    for status in wave_status(session, wave):
        migration = migrations[status["vm"]]
        vm = by_name.get(status["vm"])
        rows.append({
            "vm": status["vm"], "status": status["status"], "vmid": status["vmid"], "node": status["node"],
            "started": status["started"], "finished": status["finished"],
            "downtime_seconds": status["downtime_seconds"], "disks_copied": status["disks_copied"],
            "disks_checked": verified.get(migration.id, ""),
            "agent": {True: "answered", False: "no answer", None: ""}[status["agent"]],
            "ips_before": ", ".join(_source_ips(session, migration.vm_id)), "ips_after": ", ".join(status["ips"]),
            "ips_missing": ", ".join(status["ips_missing"]),
            **_protection(vm, state), "first_backup": finalized.get(status["vm"], ""),
        })
    return rows


def _verified(session: Session, migration_ids: list[int]) -> dict[int, str]:
    """Per VM migration, how each disk was checked by its last verify: compared with its source, or sized."""
    rows = session.execute(select(StepRun.vm_migration_id, StepRun.detail).where(
        StepRun.vm_migration_id.in_(migration_ids), StepRun.step == "verify", StepRun.status == StepStatus.DONE)
        .order_by(StepRun.id))
    found = {}
    for migration_id, detail in rows:
        disks = (detail or {}).get("disks", {})
        found[migration_id] = "; ".join(
            f"{slot}: {'qemu-img compare with the source: identical' if d.get('compared') else 'size checked'}"
            for slot, d in sorted(disks.items()))
    return found


def _source_ips(session: Session, vm_id: int) -> list[str]:
    record = session.get(VmRecord, vm_id)
    if record is None:
        return []
    vm = Vm.from_dict(record.facts)
    return [ip.address for nic in vm.nics for ip in nic.ip_addresses]


def _protection(vm: MigratedVm | None, state: TargetState) -> dict[str, str]:
    """The VM's HA resource, HA rules, covering backup jobs and newest backup, as the target holds them now."""
    if vm is None or vm.vmid not in state.guests:
        return {"ha_resource": "", "ha_rules": "", "backup_jobs": "", "last_backup": ""}
    sid, guest = f"vm:{vm.vmid}", state.guests[vm.vmid]
    resource = state.ha_resources.get(sid)
    rules = [rid for rid, rule in (state.ha_rules or {}).items()
             if sid in str(rule.get("resources") or "").split(",")]
    jobs = [job_id for job_id, job in sorted(state.backup_jobs.items()) if covers(job, guest)]
    backups = sorted(state.backups.get(vm.vmid, []))
    return {"ha_resource": (f"{sid} {resource.get('state', 'started')}, max_restart {resource.get('max_restart', 1)}, "
                            f"max_relocate {resource.get('max_relocate', 1)}") if resource else "none",
            "ha_rules": ", ".join(rules), "backup_jobs": ", ".join(jobs) or "none",
            "last_backup": backups[-1] if backups else "none"}


def _finalized(session: Session, wave: int) -> dict[str, str]:
    """VM name -> its first backup by finalize: the archive and when."""
    rows = session.scalars(select(FinalizeChange).where(FinalizeChange.wave == wave, FinalizeChange.kind == "first_backup",
                                                        FinalizeChange.status == StepStatus.DONE))
    return {row.vms[0]: f"{(row.detail or {}).get('archive')} at {row.finished_at:%Y-%m-%d %H:%M} UTC"
            for row in rows if row.vms}


def _journal(session: Session, wave: int) -> list[dict[str, Any]]:
    runs = {run.id: run for run in session.scalars(select(MigrationRun).where(MigrationRun.wave == wave))}
    names = dict(session.execute(select(VmMigration.id, VmMigration.vm_name).where(VmMigration.wave == wave)).all())
    entries = [_entry(run, "", _kind(run), "", run.status, run.started_at, run.finished_at, "") for run in runs.values()]
    for step in session.scalars(select(StepRun).where(StepRun.run_id.in_(runs))):
        entries.append(_entry(runs[step.run_id], names.get(step.vm_migration_id, ""), step.step, step.item,
                              step.status, step.started_at, step.finished_at, step.error or ""))
    for change in session.scalars(select(FinalizeChange).where(FinalizeChange.run_id.in_(runs))):
        entries.append(_entry(runs[change.run_id], ", ".join(change.vms), f"{change.kind} {change.action}",
                              change.object_id, change.status, change.started_at, change.finished_at,
                              change.error or ""))
    return sorted(entries, key=lambda e: (e["started"], e["run"]))


def _kind(run: MigrationRun) -> str:
    options = run.options or {}
    if options.get("cutover_at"):
        return "wait for the cutover"
    return "finalize" if options.get("finalize") else "rollback" if options.get("rollback") else "run"


def _entry(run: MigrationRun, vm: str, action: str, item: str, status: str, started, finished, error: str) -> dict:
    return {"started": started.replace(tzinfo=None) if started else None,
            "finished": finished.replace(tzinfo=None) if finished else None, "run": run.id,
            "who": run.worker, "vm": vm, "action": action, "item": item, "status": status, "error": error}

