"""The rehearsals' journal: each `migrate test` of a VM recorded before it makes anything and when it ends, so
that `--cleanup` finds every test VM, also one a killed rehearsal left."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.base import utcnow
from migrate.db.execution_models import Rehearsal
from migrate.errors import PreflightError

RUNNING, PASSED, FAILED = "running", "passed", "failed"


def begin(session: Session, wave: int, vm_id: int, vm_name: str, node: str, vmid: int, name: str,
          detail: dict[str, Any]) -> int:
    """Record a rehearsal before it makes anything: `detail` proves its test VM (marker key, MACs) to `cleanup`."""
    row = Rehearsal(wave=wave, vm_id=vm_id, vm_name=vm_name, node=node, vmid=vmid, name=name, status=RUNNING,
                    detail=detail)
    session.add(row)
    session.commit()
    return row.id


def end(session: Session, rehearsal_id: int, status: str, detail: dict[str, Any], error: str | None = None) -> None:
    row = session.get(Rehearsal, rehearsal_id)
    row.status, row.detail, row.error, row.finished_at = status, detail, error, utcnow()
    session.commit()


def cleaned(session: Session, rehearsal_id: int) -> None:
    session.get(Rehearsal, rehearsal_id).cleaned = True
    session.commit()


def not_cleaned(session: Session, wave: int | None) -> list[Rehearsal]:
    query = select(Rehearsal).where(Rehearsal.cleaned.is_(False)).order_by(Rehearsal.id)
    return list(session.scalars(query.where(Rehearsal.wave == wave) if wave is not None else query))


def latest(session: Session, vm_ids: list[int]) -> dict[int, Rehearsal]:
    """Each VM's newest rehearsal."""
    rows = session.scalars(select(Rehearsal).where(Rehearsal.vm_id.in_(vm_ids)).order_by(Rehearsal.id))
    return {row.vm_id: row for row in rows}


def latest_of_wave(session: Session, wave: int | None) -> list[Rehearsal]:
    """Each VM's newest rehearsal in wave `wave` (or in every wave), by VM name."""
    query = select(Rehearsal).order_by(Rehearsal.id)
    if wave is not None:
        query = query.where(Rehearsal.wave == wave)
    newest = {(row.wave, row.vm_id): row for row in session.scalars(query)}
    return sorted(newest.values(), key=lambda row: (row.wave, row.vm_name))


def require_rehearsed(session: Session, wave: int, vms: Collection[tuple[int, str]]) -> None:
    """Refuse, naming the first, a VM whose newest rehearsal did not pass (`run --require-test`)."""
    found = latest(session, [vm_id for vm_id, _ in vms])
    for vm_id, name in vms:
        row = found.get(vm_id)
        if row is None or row.status != PASSED:
            said = "has never been rehearsed" if row is None else f"failed its last rehearsal ({row.error or row.status})"
            raise PreflightError(f"{name} {said}: rehearse it with `migrate test --wave {wave} --vm {name} "
                                 "--bridge ISOLATED`, or run without --require-test")
