"""Writing an inventory into the database and reading it back.

A discovery's result is applied in one transaction: either the whole new inventory lands, with
its change summary, or nothing changes. VMs are matched to their earlier records so that their
ids (which waves and plans refer to) survive re-discovery; VMs no longer found are marked removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from migrate.db.base import utcnow
from migrate.db.models import (
    ClusterRecord,
    DatastoreRecord,
    DiscoveryRun,
    HostRecord,
    NetworkRecord,
    Source,
    VmChange,
    VmRecord,
)
from migrate.errors import NotFoundError
from migrate.gc_pause import cyclic_gc_paused
from migrate.inventory.diff import diff_facts
from migrate.inventory.matching import Record, pair_records
from migrate.inventory.facts import Origin, origin_of
from migrate.inventory.model import Cluster, Datastore, Host, Inventory, Network, Vm

# Strongest first; a key pairs only where its value is unique on both sides (migrate/inventory/matching.py).
API_MATCH_KEYS = ("instance_uuid", "moref")
SAVE_BATCH = 500


@dataclass
class ChangeSummary:
    """What one discovery run changed, for the closing lines of `discover` and for `inventory diff`."""

    run_id: int
    source: str
    previous_run_id: int | None = None  # None: the first successful discovery of the source
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed)}


def find_source(session: Session, name: str) -> Source | None:
    return session.scalar(select(Source).where(Source.name == name))


def get_or_create_source(session: Session, name: str) -> Source:
    source = find_source(session, name)
    if source is None:
        source = Source(name=name)
        session.add(source)
        session.flush()
    return source


def start_run(session: Session, source_name: str, method: str, provenance: dict[str, Any] | None = None) -> DiscoveryRun:
    """Record that a discovery began; the caller commits so that a crash still leaves the record."""
    source = get_or_create_source(session, source_name)
    run = DiscoveryRun(source=source, method=method, status="running", provenance=provenance or {})
    session.add(run)
    session.flush()
    return run


def fail_run(session: Session, run_id: int, message: str) -> None:
    """Mark a run failed; the inventory it would have replaced stays as it was."""
    session.execute(
        update(DiscoveryRun)
        .where(DiscoveryRun.id == run_id)
        .values(status="failed", error=message, finished_at=utcnow())
    )


def save_inventory(
    session: Session, run_id: int, inventory: Inventory, match_keys: Sequence[str] = API_MATCH_KEYS
) -> ChangeSummary:
    """Apply a complete inventory as the result of run `run_id` and return what changed.

    VMs are written in batches of SAVE_BATCH, and the earlier facts they are compared with are read
    batch by batch too, so memory holds the inventory plus one batch of documents, not all of them.
    """
    run = session.get(DiscoveryRun, run_id)
    source_id = run.source_id
    previous = previous_successful_run(session, run)
    summary = ChangeSummary(run_id=run_id, source=run.source.name, previous_run_id=previous.id if previous else None)
    earlier = _existing_vms(session, source_id)
    paired = pair_records(inventory.vms, earlier, match_keys)
    change_rows, added_ids = [], []
    with cyclic_gc_paused():
        for start in range(0, len(inventory.vms), SAVE_BATCH):
            batch = inventory.vms[start:start + SAVE_BATCH]
            records = paired[start:start + SAVE_BATCH]
            added_ids += _save_batch(session, run_id, source_id, batch, records, summary, change_rows)
    updates = []
    kept = {record["id"] for record in paired if record is not None}
    for record in (r for r in earlier if r["id"] not in kept and r["removed_run_id"] is None):
        updates.append({"id": record["id"], "removed_run_id": run_id})
        summary.removed.append(record["name"])
        change_rows.append(_change(run_id, record["id"], "removed", record["name"]))
    if updates:
        session.execute(update(VmRecord), updates)
    change_rows.extend(_change(run_id, vm_id, "added", name) for vm_id, name in added_ids)
    if change_rows:
        session.execute(insert(VmChange), change_rows)
    _replace_estate(session, source_id, inventory)
    run.status = "succeeded"
    run.finished_at = utcnow()
    run.api_version = inventory.api_version
    run.counts = inventory.counts()
    run.changes = summary.counts
    session.flush()
    return summary


def _save_batch(
    session: Session, run_id: int, source_id: int, vms: Sequence[Vm], records: Sequence[Record | None],
    summary: ChangeSummary, change_rows: list[dict[str, Any]],
) -> list[tuple[int, str]]:
    """Write one batch of VMs with their earlier records (None: new), noting their changes; returns the ids and
    names of the VMs new to the source."""
    earlier = _earlier_facts(session, [r["id"] for r in records if r is not None and r["removed_run_id"] is None])
    inserts, updates = [], []
    for vm, record in zip(vms, records):
        facts = vm.to_dict()
        row = _vm_columns(vm, facts)
        if record is None:
            inserts.append({**row, "source_id": source_id, "first_seen_run_id": run_id, "last_seen_run_id": run_id})
            summary.added.append(vm.name)
            continue
        updates.append({**row, "id": record["id"], "last_seen_run_id": run_id, "removed_run_id": None})
        if record["removed_run_id"] is not None:
            summary.added.append(vm.name)
            change_rows.append(_change(run_id, record["id"], "added", vm.name))
        elif fields := diff_facts(earlier[record["id"]], facts):
            summary.changed.append((vm.name, fields))
            change_rows.append(_change(run_id, record["id"], "changed", vm.name, fields))
    if updates:
        session.execute(update(VmRecord), updates)
    if not inserts:
        return []
    new_ids = session.scalars(insert(VmRecord).returning(VmRecord.id, sort_by_parameter_order=True), inserts).all()
    return [(vm_id, row["name"]) for vm_id, row in zip(new_ids, inserts)]


def _existing_vms(session: Session, source_id: int) -> list[dict[str, Any]]:
    """The source's earlier VM records, without their facts documents (read per batch when needed)."""
    columns = (VmRecord.id, VmRecord.name, VmRecord.folder, VmRecord.moref, VmRecord.instance_uuid,
               VmRecord.bios_uuid, VmRecord.removed_run_id)
    rows = session.execute(select(*columns).where(VmRecord.source_id == source_id).order_by(VmRecord.id))
    return [dict(row._mapping) for row in rows]


def _earlier_facts(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = session.execute(select(VmRecord.id, VmRecord.facts).where(VmRecord.id.in_(ids)))
    return {vm_id: facts for vm_id, facts in rows}


def _vm_columns(vm: Vm, facts: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": vm.name,
        "moref": vm.moref,
        "instance_uuid": vm.instance_uuid,
        "bios_uuid": vm.bios_uuid,
        "datacenter": vm.datacenter,
        "cluster": vm.cluster,
        "folder": vm.folder,
        "power_state": vm.power_state,
        "template": bool(vm.template),
        "facts": facts,
    }


def _change(run_id: int, vm_id: int, kind: str, name: str, fields: list | None = None) -> dict[str, Any]:
    return {"run_id": run_id, "vm_id": vm_id, "kind": kind, "vm_name": name, "fields": fields or []}


_ESTATE_TABLES = (
    (HostRecord, "hosts", Host),
    (ClusterRecord, "clusters", Cluster),
    (DatastoreRecord, "datastores", Datastore),
    (NetworkRecord, "networks", Network),
)


def _replace_estate(session: Session, source_id: int, inventory: Inventory) -> None:
    for model, attribute, _ in _ESTATE_TABLES:
        session.execute(delete(model).where(model.source_id == source_id))
        rows = [
            {"source_id": source_id, "name": item.name, "moref": item.moref,
             "datacenter": item.datacenter, "facts": item.to_dict()}
            for item in getattr(inventory, attribute)
        ]
        if rows:
            session.execute(insert(model), rows)


# Reading -------------------------------------------------------------------------------------------


def resolve_source(session: Session, name: str | None) -> Source:
    """The named source, or the only one there is."""
    if name:
        source = find_source(session, name)
        if source is None:
            raise NotFoundError(f"no source named {name!r} in the inventory: run `migrate discover` for it first")
        return source
    sources = session.scalars(select(Source).order_by(Source.id)).all()
    if not sources:
        raise NotFoundError("the inventory is empty: run `migrate discover` first")
    if len(sources) > 1:
        names = ", ".join(s.name for s in sources)
        raise NotFoundError(f"the inventory holds several sources ({names}): name one with --source")
    return sources[0]


def list_vms(session: Session, source: str | None = None, include_removed: bool = False) -> list[VmRecord]:
    """The VMs of a source (or of all sources), ordered by datacenter, folder and name."""
    query = select(VmRecord)
    if source:
        query = query.where(VmRecord.source_id == resolve_source(session, source).id)
    if not include_removed:
        query = query.where(VmRecord.removed_run_id.is_(None))
    query = query.order_by(VmRecord.datacenter, VmRecord.folder, VmRecord.name, VmRecord.id)
    return list(session.scalars(query))


def load_inventory(session: Session, source: str | None = None) -> Inventory:
    """The current inventory of a source (its VMs not removed, and its estate) as model objects."""
    src = resolve_source(session, source)
    inventory = Inventory(source=src.name, origin=_origin(session, src))
    facts = session.scalars(
        select(VmRecord.facts)
        .where(VmRecord.source_id == src.id, VmRecord.removed_run_id.is_(None))
        .order_by(VmRecord.datacenter, VmRecord.folder, VmRecord.name, VmRecord.id)
    )
    inventory.vms = [Vm.from_dict(document) for document in facts]
    for model, attribute, item_cls in _ESTATE_TABLES:
        rows = session.scalars(select(model.facts).where(model.source_id == src.id).order_by(model.id))
        setattr(inventory, attribute, [item_cls.from_dict(document) for document in rows])
    return inventory


def _origin(session: Session, src: Source) -> Origin | None:
    """Where the source's current inventory came from: its latest successful discovery run."""
    run = session.scalar(select(DiscoveryRun).where(DiscoveryRun.source_id == src.id, DiscoveryRun.status == "succeeded")
                         .order_by(DiscoveryRun.id.desc()).limit(1))
    if run is None:
        return None
    when = run.finished_at or run.started_at
    return origin_of(run.method, src.name, run.provenance or {}, when.isoformat(timespec="seconds") if when else None)


def find_vm(session: Session, name: str, source: str | None = None) -> VmRecord:
    """One VM by its exact vCenter name, else by moref or instance UUID."""
    base = select(VmRecord).where(VmRecord.removed_run_id.is_(None))
    if source:
        base = base.where(VmRecord.source_id == resolve_source(session, source).id)
    for column in (VmRecord.name, VmRecord.moref, VmRecord.instance_uuid):
        matches = session.scalars(base.where(column == name)).all()
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFoundError(f"{len(matches)} VMs are named {name!r}: name the source with --source, or use the moref")
    raise NotFoundError(f"no VM named {name!r} in the inventory: check `migrate inventory list`")


def latest_changes(session: Session, source: str | None = None) -> ChangeSummary:
    """The changes recorded by the latest successful discovery of a source."""
    src = resolve_source(session, source)
    run = session.scalar(
        select(DiscoveryRun)
        .where(DiscoveryRun.source_id == src.id, DiscoveryRun.status == "succeeded")
        .order_by(DiscoveryRun.id.desc())
        .limit(1)
    )
    if run is None:
        raise NotFoundError(f"source {src.name!r} has no successful discovery yet: run `migrate discover`")
    previous = previous_successful_run(session, run)
    summary = ChangeSummary(run_id=run.id, source=src.name, previous_run_id=previous.id if previous else None)
    rows = session.scalars(select(VmChange).where(VmChange.run_id == run.id).order_by(VmChange.vm_name, VmChange.id))
    for change in rows:
        if change.kind == "changed":
            summary.changed.append((change.vm_name, change.fields))
        else:
            getattr(summary, change.kind).append(change.vm_name)
    return summary


def previous_successful_run(session: Session, run: DiscoveryRun) -> DiscoveryRun | None:
    return session.scalar(
        select(DiscoveryRun)
        .where(DiscoveryRun.source_id == run.source_id, DiscoveryRun.status == "succeeded", DiscoveryRun.id < run.id)
        .order_by(DiscoveryRun.id.desc())
        .limit(1)
    )
