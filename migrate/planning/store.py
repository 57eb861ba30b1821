"""Planning a stored wave onto a stored target snapshot, and reading plans back. The caller owns the transaction.

The inputs are read here (the wave's VMs and their sources' inventories, the mapping files, the latest target
snapshot); the decisions are made by the pure `place_wave`; the result is stored as the wave's next plan version.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from migrate.db.models import Source, VmRecord
from migrate.db.plan_models import PlanRecord, PlanVm, Target, Wave
from migrate.errors import NotFoundError
from migrate.inventory.model import Cluster, Vm
from migrate.inventory.store import load_inventory
from migrate.mapping.service import source_mappings
from migrate.planning.candidates import Candidate, build_candidate, cutover_checks
from migrate.planning.inputs import SETTINGS, changed_inputs, plan_inputs
from migrate.planning.model import Plan, PlanSettings
from migrate.planning.place import place_wave
from migrate.planning.throughput import target_throughput
from migrate.readiness.assess import assess_vm
from migrate.readiness.context import build_context
from migrate.readiness.rule import Severity
from migrate.target.model import TargetSnapshot
from migrate.target.store import get_target, latest_snapshot
from migrate.waves.select import DEFAULT_GROUP_ATTRIBUTE
from migrate.waves.store import chosen_names, get_wave, wave_decisions, wave_records


@dataclass(frozen=True)
class PlanOutcome:
    """What `plan_wave` did: stored a new version (`created`), or found the latest plan still true to its inputs."""

    record: PlanRecord
    created: bool
    changed: tuple[str, ...] = ()  # the inputs that changed since the latest plan (all for a wave's first plan)
    settings_differ: bool = False  # the latest plan was kept although the settings given differ from its own


def plan_wave(
    session: Session, number: int, *, target: str | None = None, force: bool = False,
    settings: PlanSettings = PlanSettings(), mappings_dir: str | Path = "mappings", throughput: float | None = None,
    replan: bool = False,
) -> PlanOutcome:
    """The plan of wave `number` onto the target's latest snapshot: the latest stored one while its inputs are
    unchanged, else (or with `replan`) a new one stored as the wave's next version.

    The copy speed is `throughput` when given, else the target's measured median, its setting or the default
    (`migrate.planning.throughput`); the shutdown part of each downtime is the wave's stop policy timeout.
    """
    wave = get_wave(session, number)
    target_row = get_target(session, target)
    snapshot_row, snapshot = latest_snapshot(session, target_row)
    speed = target_throughput(session, target_row, throughput)
    settings = replace(settings, throughput_mib_s=speed.mib_s, throughput_source=speed.source,
                       measured_copies=speed.measured_copies, shutdown_s=wave.shutdown_timeout)
    pending = [vm for other in latest_plans(session, target_row) if other.wave != wave.number for vm in other.vms]
    records = wave_records(session, wave)
    sources = [session.get(Source, source_id).name for source_id in {r.source_id for r in records}]
    inputs = plan_inputs(wave.members, records, sources, Path(mappings_dir), snapshot_row.version, pending,
                         settings, force, target_row.virtio_win)
    latest = _latest_record(session, wave)
    changed = changed_inputs(latest.document.get("inputs") if latest else None, inputs)
    if latest is not None and not replan and not changed:
        return PlanOutcome(latest, False, (), latest.document["inputs"].get(SETTINGS) != inputs[SETTINGS])
    candidates = wave_candidates(session, wave, snapshot, mappings_dir, records, target_row.virtio_win)
    plan = place_wave(candidates, snapshot, settings, wave=wave.number, wave_name=wave.name,
                      snapshot_version=snapshot_row.version, force=force, pending=pending)
    return PlanOutcome(_store(session, wave, target_row.id, snapshot_row.id, plan, inputs), True, tuple(changed))


def _latest_record(session: Session, wave: Wave) -> PlanRecord | None:
    return session.scalar(select(PlanRecord).where(PlanRecord.wave_id == wave.id)
                          .order_by(PlanRecord.version.desc()).limit(1))


def wave_candidates(session: Session, wave: Wave, snapshot: TargetSnapshot, mappings_dir: str | Path,
                    records: list[VmRecord] | None = None, virtio_win: str | None = None) -> list[Candidate]:
    """Each VM of the wave (`records`, when the caller read them already) judged and mapped against its whole
    source inventory and the target's facts (`virtio_win`: the ISO the target names for Windows conversions)."""
    group_attribute = (wave.selection or {}).get("group_attribute") or DEFAULT_GROUP_ATTRIBUTE
    by_source: dict[int, list[VmRecord]] = defaultdict(list)
    for record in records if records is not None else wave_records(session, wave):
        by_source[record.source_id].append(record)
    candidates = []
    for source_id, records in sorted(by_source.items()):
        inventory = load_inventory(session, session.get(Source, source_id).name)
        mappings = source_mappings(inventory.source, Path(mappings_dir)).with_names(chosen_names(session, source_id))
        context = build_context(inventory, mappings, snapshot.mapping_facts(virtio_win))
        decisions = wave_decisions(session, source_id)
        clusters = {c.name: c for c in inventory.clusters}
        apart = _anti_affinity(inventory.clusters)
        for record in records:
            vm = Vm.from_dict(record.facts)
            assessment = assess_vm(vm, context)
            cluster = clusters.get(vm.cluster or "")
            candidates.append(build_candidate(
                vm, assessment.config, str(assessment.verdict), mappings, vm_id=record.id,
                ha_wanted=bool(cluster and cluster.ha_enabled), group=(vm.custom_attributes or {}).get(group_attribute),
                anti_affinity=apart.get(vm.name, ()),
                blockers=tuple(sorted({f.rule_id for f in assessment.findings if f.severity is Severity.BLOCKER})),
                preferred_node=decisions[record.id].node if record.id in decisions else None,
                unmapped=assessment.unmapped, checks=cutover_checks(assessment.findings),
            ))
    return candidates


def _anti_affinity(clusters: list[Cluster]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for cluster in clusters:
        for rule in cluster.rules:
            if rule.kind == "anti-affinity" and rule.enabled is not False:
                for name in rule.vms:
                    found[name].append(f"{cluster.name}/{rule.name}")
    return {name: tuple(rules) for name, rules in found.items()}


def plan_digest(plan: Plan | dict) -> str:
    """SHA-256 of the plan's canonical JSON: two plans from the same inputs have the same digest."""
    document = plan.to_dict() if isinstance(plan, Plan) else plan
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


def _store(session: Session, wave: Wave, target_id: int, snapshot_id: int, plan: Plan,
           inputs: dict[str, str] | None = None) -> PlanRecord:
    version = (session.scalar(select(func.max(PlanRecord.version)).where(PlanRecord.wave_id == wave.id)) or 0) + 1
    document = plan.to_dict()
    if inputs is not None:
        document["inputs"] = inputs  # what it was made from (`migrate.planning.inputs`); Plan.from_dict ignores it
    record = PlanRecord(wave_id=wave.id, version=version, target_id=target_id, snapshot_id=snapshot_id,
                        forced=plan.forced, digest=plan_digest(document), document=document)
    record.vms = [
        PlanVm(vm_id=vm.vm_id, vm_name=vm.vm_name, proxmox_name=vm.proxmox_name, node=vm.node, vmid=vm.vmid, entry=entry)
        for vm, entry in zip(plan.vms, document["vms"])
    ]
    session.add(record)
    session.flush()
    return record


def load_plan(session: Session, number: int, version: int | None = None) -> tuple[PlanRecord, Plan]:
    """A stored plan of wave `number`: the given version, else the newest."""
    wave = get_wave(session, number)
    query = select(PlanRecord).where(PlanRecord.wave_id == wave.id)
    query = query.where(PlanRecord.version == version) if version else query.order_by(PlanRecord.version.desc()).limit(1)
    record = session.scalar(query)
    if record is None:
        which = f"version {version} of wave {number}" if version else f"wave {number}"
        raise NotFoundError(f"no plan for {which}: run `migrate plan --wave {number}`")
    return record, Plan.from_dict(record.document)


def latest_plans(session: Session, target: Target) -> list[Plan]:
    """The newest plan of each wave that was planned onto `target`."""
    query = select(PlanRecord).where(PlanRecord.target_id == target.id).order_by(PlanRecord.wave_id, PlanRecord.version)
    records = session.scalars(query)
    newest = {record.wave_id: record for record in records}
    return [Plan.from_dict(newest[wave].document) for wave in sorted(newest)]
