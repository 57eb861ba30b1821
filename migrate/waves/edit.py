"""Changing waves after they were made: add, remove and move VMs, delete a wave. The caller owns the transaction.

A VM that began migrating in a wave (a journal entry that is not pending or rolled back) stays where it is:
moving it would leave its journal, its target VM and its source's state behind in the old wave.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.execution_models import VmMigration, VmStatus
from migrate.db.models import VmRecord
from migrate.db.plan_models import PlanRecord, PlanVm, Wave, WaveVm
from migrate.errors import WaveError
from migrate.inventory.store import list_vms
from migrate.waves.policy import StopPolicy
from migrate.waves.store import WaveMember, get_wave, wave_members

# Statuses that mean nothing was done to the VM, or that what was done was undone.
UNTOUCHED = {VmStatus.PENDING.value, VmStatus.ROLLED_BACK.value}


def wave_members_with_migration(session: Session, number: int) -> list[tuple[WaveMember, str | None]]:
    """The VMs of wave `number` in cutover order, each with the journal's status of its migration in the wave."""
    get_wave(session, number)  # a wave that does not exist is named, not shown empty
    members = wave_members(session, number=number)
    statuses = migration_statuses(session, [m.vm_id for m in members])
    return [(member, statuses.get((number, member.vm_id))) for member in members]


def migration_statuses(session: Session, vm_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """(wave number, VM id) -> the journal's status of that VM's migration in that wave."""
    ids = list(vm_ids)
    if not ids:
        return {}
    rows = session.execute(select(VmMigration.wave, VmMigration.vm_id, VmMigration.status).where(VmMigration.vm_id.in_(ids)))
    return {(wave, vm_id): status for wave, vm_id, status in rows}


def resolve_vms(session: Session, names: Sequence[str]) -> dict[str, VmRecord]:
    """Each name (a VM name, moref or instance UUID) -> its one inventory VM; unknown and ambiguous names are refused."""
    records = list_vms(session)
    found: dict[str, VmRecord] = {}
    for name in names:
        hits = [r for r in records if name in (r.name, r.moref, r.instance_uuid)]
        if not hits:
            raise WaveError(f"no VM named {name} in the inventory: check `migrate inventory list`")
        if len(hits) > 1:
            raise WaveError(f"{len(hits)} VMs are named {name}: name it by its moref or instance UUID "
                            "(`migrate inventory list --format csv` shows both)")
        found[name] = hits[0]
    return found


def add_vms(session: Session, number: int, names: Sequence[str]) -> list[str]:
    """Add the named VMs to wave `number`; a VM in another wave is refused (move it with `wave move`)."""
    wave = get_wave(session, number)
    records = resolve_vms(session, names)
    memberships = _memberships(session, [r.id for r in records.values()])
    added = []
    for record in records.values():
        current = memberships.get(record.id)
        if current is not None and current.wave_id == wave.id:
            continue
        if current is not None:
            raise WaveError(f"VM {record.name} is in wave {current.wave.number}: "
                            f"move it with `migrate wave move {record.name} --to {number}`")
        wave.members.append(WaveVm(vm_id=record.id, reason="added"))
        added.append(record.name)
    session.flush()
    return added


def remove_vms(session: Session, number: int, names: Sequence[str]) -> list[str]:
    """Take the named VMs out of wave `number`; a VM that began migrating in it stays."""
    wave = get_wave(session, number)
    records = resolve_vms(session, names)
    rows = {row.vm_id: row for row in wave.members}
    for name, record in records.items():
        if record.id not in rows:
            raise WaveError(f"VM {name} is not in wave {number}: `migrate wave show {number}` lists its VMs")
    refuse_started(session, wave.number, [r for r in records.values()], "take it out of")
    for record in records.values():
        session.delete(rows[record.id])
        wave.members.remove(rows[record.id])
    session.flush()
    return [record.name for record in records.values()]


def move_vms(session: Session, names: Sequence[str], to: int) -> list[tuple[str, int]]:
    """Move the named VMs into wave `to`, keeping what the customer decided for them; (name, old wave) per VM moved."""
    target = get_wave(session, to)
    records = resolve_vms(session, names)
    memberships = _memberships(session, [r.id for r in records.values()])
    moved = []
    for name, record in records.items():
        current = memberships.get(record.id)
        if current is None:
            raise WaveError(f"VM {name} is in no wave: add it with `migrate wave add {to} {name}`")
        if current.wave_id == target.id:
            continue
        refuse_started(session, current.wave.number, [record], "move it out of")
        moved.append((record.name, current.wave.number))
        current.wave.members.remove(current)
        current.wave = target
        target.members.append(current)
    session.flush()
    return moved


def delete_wave(session: Session, number: int) -> int:
    """Delete wave `number` and its plans; refused once a VM of it began migrating. The number of VMs it held."""
    wave = get_wave(session, number)
    records = list(session.scalars(select(VmRecord).where(VmRecord.id.in_([m.vm_id for m in wave.members]))))
    refuse_started(session, number, records, "delete")
    started = session.scalar(select(VmMigration.id).where(VmMigration.wave == number,
                                                          VmMigration.status.not_in(UNTOUCHED)).limit(1))
    if started is not None:  # a VM that left the wave after it began: its journal still names this wave
        raise WaveError(f"wave {number} has VMs that began migrating: roll them back before deleting it")
    count = len(wave.members)
    for plan in session.scalars(select(PlanRecord).where(PlanRecord.wave_id == wave.id)):
        for vm in session.scalars(select(PlanVm).where(PlanVm.plan_id == plan.id)):
            session.delete(vm)
        session.delete(plan)
    for member in list(wave.members):
        session.delete(member)
    session.delete(wave)
    session.flush()
    return count


def ensure_wave(session: Session, number: int) -> Wave:
    """Wave `number`, made empty with the default stop policy when it does not exist (a wave import may name it)."""
    wave = session.scalar(select(Wave).where(Wave.number == number))
    if wave is None:
        policy = StopPolicy()
        wave = Wave(number=number, selection={}, shutdown_timeout=policy.shutdown_timeout,
                    allow_power_off=policy.allow_power_off)
        wave.members = []
        session.add(wave)
        session.flush()
    return wave


def refuse_started(session: Session, number: int, records: Sequence[VmRecord], doing: str) -> None:
    """Refuse to `doing` wave `number` for a VM that began migrating in it and was not rolled back."""
    statuses = migration_statuses(session, [r.id for r in records])
    for record in records:
        status = statuses.get((number, record.id))
        if status is not None and status not in UNTOUCHED:
            raise WaveError(f"VM {record.name} began migrating in wave {number} ({status}): cannot {doing} the wave; "
                            f"roll it back first (`migrate rollback --vm {record.name}`)")


def _memberships(session: Session, vm_ids: list[int]) -> dict[int, WaveVm]:
    return {row.vm_id: row for row in session.scalars(select(WaveVm).where(WaveVm.vm_id.in_(vm_ids)))}
