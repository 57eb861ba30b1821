"""Shapes of a VM record for listing and export: one row per VM, or the whole JSON document."""

from __future__ import annotations

from typing import Any

from migrate.db.models import VmRecord
from migrate.inventory.sizes import facts_size, total

GIB = 1024**3

VM_ROW_HEADERS = (
    "name", "datacenter", "cluster", "folder", "power_state", "guest_id", "vcpu", "memory_gb",
    "disks", "provisioned_gb", "to_move_gb", "bytes_estimated", "nics", "networks", "snapshots", "template",
)


def vm_row(record: VmRecord) -> tuple[Any, ...]:
    facts = record.facts
    disks = facts.get("disks") or []
    nics = facts.get("nics") or []
    size = facts_size(facts)
    memory = facts.get("memory_mb")
    return (
        record.name,
        record.datacenter,
        record.cluster,
        record.folder,
        record.power_state,
        facts.get("guest_id"),
        facts.get("num_cpu"),
        _round(memory / 1024) if memory is not None else None,
        len(disks),
        _round(size.provisioned_bytes / GIB),
        _round(size.to_move_bytes / GIB),
        "yes" if size.estimated else "no",
        len(nics),
        ";".join(sorted({n.get("network") or "" for n in nics} - {""})),
        len(facts.get("snapshots") or []),
        "yes" if record.template else "no",
    )


def _round(value: float) -> float:
    return round(value, 1)


def vm_document(record: VmRecord) -> dict[str, Any]:
    """The VM's full facts plus its inventory identity and its sizes (documented in docs/inventory.md)."""
    size = facts_size(record.facts)
    return {
        "id": record.id,
        "source": record.source_id,
        "removed": record.removed_run_id is not None,
        **record.facts,
        "size": {"provisioned_bytes": size.provisioned_bytes, "to_move_bytes": size.to_move_bytes,
                 "bytes_estimated": size.estimated},
    }


def summary_rows(records: list[VmRecord]) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    """Per datacenter and cluster: VMs (powered on, templates), vCPUs, memory and storage; and the estate's total
    (its own row: no datacenter is called "total").

    Storage is the size model's (`migrate.inventory.sizes`): provisioned, bytes to move, and how many VMs' bytes
    to move are estimated from their provisioned size."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for record in records:
        facts = record.facts
        key = (record.datacenter or "?", record.cluster or "(no cluster)")
        totals = groups.setdefault(key, [0, 0, 0, 0, 0.0, []])
        totals[0] += 1
        totals[1] += record.power_state == "poweredOn"
        totals[2] += bool(record.template)
        totals[3] += facts.get("num_cpu") or 0
        totals[4] += (facts.get("memory_mb") or 0) / 1024
        totals[5].append(facts_size(facts))
    rows = [(dc, cluster, *_rounded(t)) for (dc, cluster), t in sorted(groups.items())]
    overall = [sum(t[i] for t in groups.values()) for i in range(5)] + [[s for t in groups.values() for s in t[5]]]
    return rows, _rounded(overall)


SUMMARY_HEADERS = ("datacenter", "cluster", "vms", "powered_on", "templates", "vcpu", "memory_gb",
                   "provisioned_gb", "to_move_gb", "estimated_vms")


def _rounded(totals: list[Any]) -> tuple[Any, ...]:
    provisioned, to_move, estimated = total(totals[5])
    return (*(int(v) for v in totals[:4]), _round(totals[4]), _round(provisioned / GIB), _round(to_move / GIB),
            estimated)
