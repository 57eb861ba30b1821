"""What the database says about a wave to finalize: its migrated VMs, the target, the DRS rules that apply."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.execution_models import VmMigration, VmStatus
from migrate.db.models import VmRecord
from migrate.db.plan_models import Target
from migrate.errors import NotFoundError, UsageError
from migrate.finalize.model import Action, Change, Kind, MigratedVm
from migrate.inventory.model import Cluster
from migrate.planning.store import load_plan
from migrate.waves.store import load_clusters


@dataclass
class WaveFacts:
    """What the database says of a wave to finalize."""

    target: Target  # detached from its session
    vms: list[MigratedVm]  # the wave's VMs the toolkit migrated, those chosen with --vm
    elsewhere: list[MigratedVm] = field(default_factory=list)  # migrated by the toolkit in other waves, same target
    clusters: list[Cluster] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)  # the wave's VMs left out, and why


def read_wave(session: Session, wave: int, only: Collection[str] = ()) -> WaveFacts:
    """The wave's migrated VMs (the journal says done, with a target VM) and what finalize needs beside them."""
    record, plan = load_plan(session, wave)
    target = session.get(Target, record.target_id)
    session.expunge(target)
    migrations = list(session.scalars(select(VmMigration).where(VmMigration.wave == wave).order_by(VmMigration.id)))
    if not migrations:
        raise NotFoundError(f"wave {wave} has no migration in the journal: run `migrate run --wave {wave}` first")
    _check_names(migrations, wave, only)
    chosen = [m for m in migrations if not only or m.vm_name in only]
    keys = {vm.vm_id: vm.vm_key for vm in plan.vms}
    records = _records(session, [m.vm_id for m in migrations])
    vms, notes = [], []
    for m in chosen:
        vm = _migrated(m, keys, records)
        if vm is None:
            notes.append(Change(Kind.HA_RESOURCE, Action.NONE, "", (m.vm_name,), reason=f"not migrated ({m.status}):"
                                " left out; migrate it with `migrate run` first"))
        else:
            vms.append(vm)
    clusters = load_clusters(session, {r.source_id for r in records.values()})
    vms = [replace(vm, restart_priority=restart_priority(clusters, vm)) for vm in vms]
    return WaveFacts(target, vms, _elsewhere(session, wave, target.id), clusters, notes)


def restart_priority(clusters: list[Cluster], vm: MigratedVm) -> str | None:
    """vSphere HA's restart priority for the VM: its own override, else its cluster's default."""
    cluster = next((c for c in clusters if c.name == vm.cluster), None)
    if cluster is None:
        return None
    return cluster.ha_vm_overrides.get(vm.name, {}).get("restart_priority") or cluster.ha_restart_priority


def _check_names(migrations: list[VmMigration], wave: int, only: Collection[str]) -> None:
    unknown = sorted(set(only) - {m.vm_name for m in migrations})
    if unknown:
        raise UsageError(f"VM {', '.join(unknown)} has no migration in wave {wave}: check the name with "
                         f"`migrate status --wave {wave}`")


def _records(session: Session, ids: list[int]) -> dict[int, VmRecord]:
    return {r.id: r for r in session.scalars(select(VmRecord).where(VmRecord.id.in_(ids)))}


def target_of(state: dict | None) -> tuple[str, int] | None:
    """(node, VMID) of the target VM the journal's state records (create_shell writes it), or None.

    Read from the stored JSON, as migrate.execution.vm_state.VmState writes it: the execution package sits beside
    this one and is not imported."""
    target = (state or {}).get("target")
    return (str(target["node"]), int(target["vmid"])) if target else None


def _migrated(m: VmMigration, keys: dict[int | None, str], records: dict[int, VmRecord]) -> MigratedVm | None:
    target = target_of(m.state)
    if m.status != VmStatus.DONE or target is None:
        return None
    record = records.get(m.vm_id)
    cluster = (record.facts or {}).get("cluster") if record is not None else None
    return MigratedVm(m.vm_name, m.id, keys.get(m.vm_id), target[1], target[0], cluster,
                      source_moref=record.moref if record is not None else None,
                      source_id=record.source_id if record is not None else None, migrated_at=m.updated_at)


def _elsewhere(session: Session, wave: int, target_id: int) -> list[MigratedVm]:
    """The VMs other waves migrated onto the same target: members of a DRS rule that spans waves."""
    others = list(session.scalars(select(VmMigration).where(VmMigration.wave != wave,
                                                             VmMigration.status == VmStatus.DONE)))
    found, targets = [], {}
    for m in others:
        if m.wave not in targets:
            record, plan = load_plan(session, m.wave)
            targets[m.wave] = (record.target_id, {vm.vm_id: vm.vm_key for vm in plan.vms})
        target_id_of_wave, keys = targets[m.wave]
        vm = _migrated(m, keys, {}) if target_id_of_wave == target_id else None
        if vm is not None:
            found.append(vm)
    return found
