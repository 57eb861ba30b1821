"""Where each VM of a wave stands, read from the journal: step, disks copied, bytes, speed, error."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.execution_models import StepRun, VmMigration


def wave_status(session: Session, wave: int | None = None) -> list[dict[str, Any]]:
    """One row per VM migration (of `wave`, or of every wave), in wave and name order."""
    query = select(VmMigration).order_by(VmMigration.wave, VmMigration.vm_name)
    if wave is not None:
        query = query.where(VmMigration.wave == wave)
    migrations = list(session.scalars(query))
    copies = _copies(session, [m.id for m in migrations])
    return [_row(m, copies.get(m.id, [])) for m in migrations]


def _copies(session: Session, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return found
    query = select(StepRun.vm_migration_id, StepRun.detail).where(
        StepRun.vm_migration_id.in_(ids), StepRun.step == "copy_disk", StepRun.status == "done")
    for vm_migration_id, detail in session.execute(query):
        found.setdefault(vm_migration_id, []).append(detail or {})
    return found


def _row(migration: VmMigration, copies: list[dict[str, Any]]) -> dict[str, Any]:
    state = migration.state or {}
    copied = sum(int(c.get("bytes") or 0) for c in copies)
    seconds = sum(float(c.get("seconds") or 0) for c in copies)
    target = state.get("target") or {}
    return {
        "wave": migration.wave, "vm": migration.vm_name, "status": migration.status,
        "step": migration.current_step or "", "vmid": target.get("vmid"), "node": target.get("node"),
        "disks_copied": len(copies), "bytes_copied": copied,
        "mib_per_second": round(copied / seconds / 2**20, 1) if seconds else None,
        "ips": state.get("target_ips") or [], "error": migration.error or "",
    }
