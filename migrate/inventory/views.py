"""Shapes of a VM record for listing and export: one row per VM, or the whole JSON document."""

from __future__ import annotations

from typing import Any

from migrate.db.models import VmRecord

GIB = 1024**3

VM_ROW_HEADERS = (
    "name", "datacenter", "cluster", "folder", "power_state", "guest_id", "vcpu", "memory_gb",
    "disks", "provisioned_gb", "used_gb", "nics", "networks", "snapshots", "template",
)


def vm_row(record: VmRecord) -> tuple[Any, ...]:
    facts = record.facts
    disks = facts.get("disks") or []
    nics = facts.get("nics") or []
    provisioned = sum(d.get("capacity_bytes") or 0 for d in disks)
    used = facts.get("used_bytes")
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
        _round(provisioned / GIB),
        _round(used / GIB) if used is not None else None,
        len(nics),
        ";".join(sorted({n.get("network") or "" for n in nics} - {""})),
        len(facts.get("snapshots") or []),
        "yes" if record.template else "no",
    )


def _round(value: float) -> float:
    return round(value, 1)


def vm_document(record: VmRecord) -> dict[str, Any]:
    """The VM's full facts plus its inventory identity (documented in docs/inventory.md)."""
    return {
        "id": record.id,
        "source": record.source_id,
        "removed": record.removed_run_id is not None,
        **record.facts,
    }


def summary_rows(records: list[VmRecord]) -> list[tuple[Any, ...]]:
    """Per datacenter and cluster: VMs (powered on, templates), vCPUs, memory and storage; then a total line."""
    groups: dict[tuple[str, str], list[float]] = {}
    for record in records:
        facts = record.facts
        key = (record.datacenter or "?", record.cluster or "(no cluster)")
        totals = groups.setdefault(key, [0, 0, 0, 0, 0.0, 0.0, 0.0])
        totals[0] += 1
        totals[1] += record.power_state == "poweredOn"
        totals[2] += bool(record.template)
        totals[3] += facts.get("num_cpu") or 0
        totals[4] += (facts.get("memory_mb") or 0) / 1024
        totals[5] += sum(d.get("capacity_bytes") or 0 for d in facts.get("disks") or []) / GIB
        totals[6] += (facts.get("used_bytes") or 0) / GIB
    rows = [(dc, cluster, *_rounded(t)) for (dc, cluster), t in sorted(groups.items())]
    total = [sum(t[i] for t in groups.values()) for i in range(7)]
    return rows + [("total", "", *_rounded(total))]


SUMMARY_HEADERS = ("datacenter", "cluster", "vms", "powered_on", "templates", "vcpu", "memory_gb",
                   "provisioned_gb", "used_gb")


def _rounded(totals: list[float]) -> tuple[Any, ...]:
    return (*(int(v) for v in totals[:4]), *(_round(v) for v in totals[4:]))
