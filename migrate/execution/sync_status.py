"""What `migrate status` says of a VM's warm copy (`migrate sync`), read from the journal alone:

- `sync_pass`: the number of its newest done pass (`final` after the cutover's), and `sync_age_seconds` since it ended;
- `sync_bytes_behind`: the bytes changed on the source since that pass, as far as the journal can tell: none after
  the final pass (the source is off), else the rate at which the source changed between its last two passes (the
  newer one's bytes read over the time between their snapshots) times the time since the newer snapshot; blank
  after a single pass (no rate yet) or after a pass that copied a disk whole (what changed is unknown). Asking
  vCenter would take a snapshot of the running source: `status` never touches it.
- `cutover_downtime_seconds`: the plan's downtime model (`PlannedVm.downtime_with`: the wave's shutdown timeout, a
  copy, the create and boot times) with the final pass as its copy: the bytes behind at the rate the VM's newest
  pass that read anything copied them. Blank when the bytes behind are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.execution_models import SyncPass, SyncState
from migrate.planning.model import PlannedVm

EMPTY = {"sync_pass": "", "sync_age_seconds": None, "sync_bytes_behind": None, "cutover_downtime_seconds": None}


def sync_columns(session: Session, vm_migration_ids: list[int], now: datetime) -> dict[int, dict[str, Any]]:
    """Per VM migration that has a done pass, its sync columns without the downtime (see `with_downtime`)."""
    passes: dict[int, list[SyncPass]] = {}
    query = select(SyncPass).where(SyncPass.vm_migration_id.in_(vm_migration_ids),
                                   SyncPass.state == SyncState.DONE).order_by(SyncPass.number)
    for row in session.scalars(query):
        passes.setdefault(row.vm_migration_id, []).append(row)
    return {vm_migration_id: _columns(done, now) for vm_migration_id, done in passes.items()}


def _columns(done: list[SyncPass], now: datetime) -> dict[str, Any]:
    last = done[-1]
    return {"sync_pass": f"{last.number} final" if last.final else str(last.number),
            "sync_age_seconds": round((now - last.finished_at).total_seconds()) if last.finished_at else None,
            "sync_bytes_behind": bytes_behind(done, now), "_rate": copy_rate(done)}


def bytes_behind(done: list[SyncPass], now: datetime) -> int | None:
    """The bytes changed since the newest done pass's snapshot, estimated from the rate of change between the last
    two; 0 after the final pass; None when the journal cannot tell."""
    last = done[-1]
    if last.final:
        return 0
    if len(done) < 2 or _copied_whole(last):
        return None
    between = (last.started_at - done[-2].started_at).total_seconds()
    if between <= 0:
        return None
    return round(last.bytes_read / between * max(0.0, (now - last.started_at).total_seconds()))


def copy_rate(done: list[SyncPass]) -> float | None:
    """Bytes per second of the newest pass that read anything, from its start to its end (snapshot calls
    included, as a final pass's own calls are)."""
    for row in reversed(done):
        seconds = (row.finished_at - row.started_at).total_seconds() if row.finished_at else 0
        if row.bytes_read > 0 and seconds > 0:
            return row.bytes_read / seconds
    return None


def with_downtime(columns: dict[str, Any], vm: PlannedVm | None) -> dict[str, Any]:
    """The columns with the estimated cutover downtime of the planned VM `vm` (blank without a plan or an
    estimate of the bytes behind)."""
    rate, behind = columns.get("_rate"), columns.get("sync_bytes_behind")
    shown = {key: value for key, value in columns.items() if key != "_rate"}
    if vm is None or behind is None or (behind and not rate):
        return {**shown, "cutover_downtime_seconds": None}
    return {**shown, "cutover_downtime_seconds": vm.downtime_with(round(behind / rate) if behind else 0)}


def _copied_whole(row: SyncPass) -> bool:
    return any(disk.get("whole") for disk in (row.disks or {}).values())
