"""The figures of the management report, gathered once from the database: the estate, its readiness, the target,
the waves and the runs. Every figure comes from the model the commands use (the size model, the readiness rules,
the plans and the journal), so the report and the command line never disagree. The caller owns the session."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.models import Source
from migrate.db.plan_models import PlanRecord, Wave
from migrate.deliverables.finalize_state import FinalizeRow, finalize_rows
from migrate.errors import NotFoundError
from migrate.execution import rehearsal_journal
from migrate.execution.status import wave_status
from migrate.inventory.facts import Origin
from migrate.inventory.model import Vm
from migrate.inventory.sizes import vm_size
from migrate.inventory.store import load_inventory
from migrate.mapping import TargetFacts
from migrate.mapping.service import source_mappings
from migrate.planning.capacity import Capacity, pool_key
from migrate.planning.model import Plan, PlanSettings
from migrate.planning.schedule import plan_seconds
from migrate.planning.store import latest_plans
from migrate.planning.target_check import check_target
from migrate.readiness.assess import VmAssessment, assess
from migrate.readiness.rule import Finding, Severity
from migrate.readiness.rules import ALL_RULES
from migrate.reports.summary import ReadinessSummary, summarize
from migrate.target.store import latest_snapshot, list_targets
from migrate.waves.store import get_wave, list_waves, wave_records

_RULES = {loaded.rule.id: loaded.rule for loaded in ALL_RULES}


@dataclass(frozen=True)
class ClusterRow:
    datacenter: str
    cluster: str
    vms: int
    vcpus: int
    memory_gib: float
    provisioned_bytes: int
    to_move_bytes: int
    estimated_vms: int


@dataclass(frozen=True)
class BlockerRow:
    rule_id: str
    title: str
    remedy: str
    vms: int


@dataclass(frozen=True)
class CapacityRow:
    """A node's memory or a storage pool's bytes: total, in use now, and in use once the planned waves landed."""

    kind: str  # "node memory" or "storage"
    name: str
    total: int
    used_now: int
    used_after: int


@dataclass(frozen=True)
class WaveRow:
    number: int
    name: str
    vms: int
    planned: int
    to_move_bytes: int
    estimated_vms: int
    copy_seconds: int
    longest_downtime_seconds: int
    wave_seconds: int
    plan_version: int | None


NOT_STARTED = "not started"  # a VM rehearsed, whose migration has not begun


@dataclass(frozen=True)
class ProgressRow:
    wave: int
    vm: str
    status: str
    downtime_estimate: int | None
    downtime_measured: float | None
    bytes_moved: int | None
    rehearsal: str = ""  # the VM's newest rehearsal (`migrate test`): passed, failed, running, or none


@dataclass
class ReportData:
    title: str
    scope: str  # "the whole estate" or "wave 2 (Web tier)"
    sources: list[str]
    origins: list[Origin | None]
    clusters: list[ClusterRow]
    os_mix: dict[str, int]
    readiness: ReadinessSummary
    blockers: list[BlockerRow]
    not_assessed: list[tuple[str, str, int]]  # (rule id, what is missing, VMs)
    target_findings: list[Finding] = field(default_factory=list)
    target_name: str | None = None
    capacity: list[CapacityRow] = field(default_factory=list)
    waves: list[WaveRow] = field(default_factory=list)
    progress: list[ProgressRow] = field(default_factory=list)
    finalize: list[FinalizeRow] = field(default_factory=list)  # per wave finalize ran on, from its journal

    @property
    def total_vms(self) -> int:
        return sum(row.vms for row in self.clusters)


def collect(session: Session, mappings_dir: Path, wave: int | None = None) -> ReportData:
    """The report's figures for the whole estate, or for wave `wave` only."""
    chosen = _wave_vm_ids(session, wave)
    assessments: list[VmAssessment] = []
    origins = []
    sources = []
    for source in session.scalars(select(Source.name).order_by(Source.name)):
        inventory = load_inventory(session, source)
        if chosen is not None:
            inventory.vms = [vm for vm in inventory.vms if (source, vm.moref or vm.name) in chosen]
            if not inventory.vms:
                continue
        sources.append(source)
        origins.append(inventory.origin)
        assessments += assess(inventory, source_mappings(inventory.source, mappings_dir), TargetFacts())
    vms = [a.vm for a in assessments]
    data = ReportData(
        title="Migration to Proxmox VE", scope=_scope(session, wave), sources=sources, origins=origins,
        clusters=_clusters(vms), os_mix=_os_mix(vms), readiness=summarize(assessments, top=10),
        blockers=_blockers(assessments), not_assessed=_not_assessed(assessments),
    )
    plans = {target.name: latest_plans(session, target) for target in list_targets(session)}  # read once
    _target(session, data, mappings_dir, wave, plans)
    every_plan = [plan for target_plans in plans.values() for plan in target_plans]
    data.waves = _waves(session, wave, every_plan)
    data.progress = _progress(session, wave, every_plan)
    data.finalize = finalize_rows(session, wave)
    return data


def _wave_vm_ids(session: Session, wave: int | None) -> set[tuple[str, str]] | None:
    if wave is None:
        return None
    records = wave_records(session, get_wave(session, wave))
    names = {s.id: s.name for s in session.scalars(select(Source))}
    return {(names[r.source_id], r.moref or r.name) for r in records}


def _scope(session: Session, wave: int | None) -> str:
    if wave is None:
        return "the whole estate"
    found = get_wave(session, wave)
    return f"wave {found.number}" + (f" ({found.name})" if found.name else "")


def _clusters(vms: list[Vm]) -> list[ClusterRow]:
    groups: dict[tuple[str, str], list[Vm]] = defaultdict(list)
    for vm in vms:
        groups[(vm.datacenter or "?", vm.cluster or "(no cluster)")].append(vm)
    rows = []
    for (datacenter, cluster), members in sorted(groups.items()):
        sizes = [vm_size(vm) for vm in members]
        rows.append(ClusterRow(datacenter, cluster, len(members), sum(vm.num_cpu or 0 for vm in members),
                               round(sum(vm.memory_mb or 0 for vm in members) / 1024, 1),
                               sum(s.provisioned_bytes for s in sizes), sum(s.to_move_bytes for s in sizes),
                               sum(1 for s in sizes if s.estimated)))
    return rows


def _os_mix(vms: list[Vm], shown: int = 8) -> dict[str, int]:
    """VMs per guest OS as vCenter names it, the most common first; the rest as "other"."""
    counts = Counter((vm.guest_full_name or vm.guest_id or "unknown").strip() for vm in vms).most_common()
    mix = dict(counts[:shown])
    if len(counts) > shown:
        mix["other"] = sum(count for _, count in counts[shown:])
    return mix


def _blockers(assessments: list[VmAssessment]) -> list[BlockerRow]:
    counts: Counter[str] = Counter()
    for assessment in assessments:
        counts.update({f.rule_id for f in assessment.findings if f.severity is Severity.BLOCKER})
    return [BlockerRow(rule_id, _RULES[rule_id].title, _RULES[rule_id].remedy, vms)
            for rule_id, vms in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]]


def _not_assessed(assessments: list[VmAssessment]) -> list[tuple[str, str, int]]:
    counts: Counter[tuple[str, str]] = Counter()
    for assessment in assessments:
        counts.update({(u.rule_id, u.missing) for u in assessment.unknowns})
    return [(rule, missing, vms) for (rule, missing), vms in sorted(counts.items(), key=lambda i: (-i[1], i[0]))[:10]]


def _target(session: Session, data: ReportData, mappings_dir: Path, wave: int | None,
            plans_by_target: dict[str, list[Plan]]) -> None:
    targets = list_targets(session)
    if not targets:
        return
    target = targets[0]
    try:
        _, snapshot = latest_snapshot(session, target)
    except NotFoundError:  # never discovered: the report says there is no target yet
        return
    data.target_name = target.name
    data.target_findings = check_target(session, target.name, mappings_dir)
    plans = [plan for plan in plans_by_target[target.name] if wave is None or plan.wave == wave]
    data.capacity = _capacity(snapshot, plans)


def _capacity(snapshot, plans: list[Plan]) -> list[CapacityRow]:
    settings = PlanSettings(memory_limit=1.0, storage_limit=1.0, ceph_limit=1.0)
    capacity = Capacity.of(snapshot, settings)
    memory_now = {n: capacity.memory_total[n] - capacity.memory_free[n] for n in capacity.nodes}
    storage_now = dict(capacity.storage_free)
    created = snapshot.vmids
    for plan in plans:
        for vm in plan.vms:
            if vm.vmid not in created:
                capacity.reserve(vm)
    rows = [CapacityRow("node memory", node, capacity.memory_total[node], memory_now[node],
                        capacity.memory_total[node] - capacity.memory_free[node]) for node in capacity.nodes]
    totals = {pool_key(s): s.total for s in snapshot.storages}
    for key in sorted(storage_now):
        total = totals.get(key, 0)
        name = key[1] if not key[0] else f"{key[1]} on {key[0]}"
        rows.append(CapacityRow("storage", name, total, total - storage_now[key], total - capacity.storage_free[key]))
    return rows


def _waves(session: Session, wave: int | None, every_plan: list[Plan]) -> list[WaveRow]:
    plans = {plan.wave: plan for plan in every_plan}
    versions = dict(session.execute(select(Wave.number, PlanRecord.version).join(PlanRecord, PlanRecord.wave_id == Wave.id)
                                    .order_by(PlanRecord.version)).all())
    rows = []
    for summary in list_waves(session):
        if wave is not None and summary.number != wave:
            continue
        plan = plans.get(summary.number)
        rows.append(WaveRow(
            summary.number, summary.name or "", summary.vms, len(plan.vms) if plan else 0,
            plan.transfer_bytes if plan else summary.to_move_bytes,
            sum(1 for vm in plan.vms if vm.transfer_estimated) if plan else summary.estimated_vms,
            plan.copy_seconds if plan else 0, max((vm.downtime_seconds for vm in plan.vms), default=0) if plan else 0,
            plan_seconds(plan) if plan else 0, versions.get(summary.number)))
    return rows


def _progress(session: Session, wave: int | None, every_plan: list[Plan]) -> list[ProgressRow]:
    """Each VM's migration as `migrate status` shows it, and each VM rehearsed (`migrate test`) whose migration
    has not begun: the application owners see which VMs passed a rehearsal before their cutover."""
    estimates = {(plan.wave, vm.vm_name): vm.downtime_seconds for plan in every_plan for vm in plan.vms}
    migrated = [ProgressRow(row["wave"], row["vm"], str(row["status"]), estimates.get((row["wave"], row["vm"])),
                            row.get("downtime_seconds"), row.get("bytes_moved"), row.get("rehearsal") or "")
                for row in wave_status(session, wave)]
    seen = {(row.wave, row.vm) for row in migrated}
    rehearsed = [ProgressRow(r.wave, r.vm_name, NOT_STARTED, estimates.get((r.wave, r.vm_name)), None, None, r.status)
                 for r in rehearsal_journal.latest_of_wave(session, wave) if (r.wave, r.vm_name) not in seen]
    return migrated + rehearsed
