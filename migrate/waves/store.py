"""Creating and listing waves. The caller owns the transaction."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.models import ClusterRecord, Source, VmRecord
from migrate.db.plan_models import Wave, WaveVm
from migrate.errors import InputFileError, NotFoundError, WaveError
from migrate.inventory.model import Cluster, Vm
from migrate.inventory.sizes import total, vm_size
from migrate.inventory.store import list_vms
from migrate.waves.policy import StopPolicy
from migrate.waves.select import Candidate, WaveSelection, select_vms

_NAME_COLUMNS = ("vm", "name", "vm name")


@dataclass(frozen=True)
class WaveSummary:
    number: int
    name: str | None
    policy: StopPolicy
    vms: int
    memory_mib: int
    provisioned_bytes: int
    to_move_bytes: int  # the size model's bytes to move (migrate.inventory.sizes)
    estimated_vms: int  # VMs whose bytes to move are their provisioned size: used unknown


def create_wave(session: Session, number: int, name: str | None, selection: WaveSelection,
                policy: StopPolicy = StopPolicy()) -> Wave:
    """A new wave of the VMs `selection` takes (with their groups); refuses VMs that are in another wave."""
    if session.scalar(select(Wave).where(Wave.number == number)) is not None:
        raise WaveError(f"wave {number} exists already: choose another number")
    if selection.empty:
        raise WaveError("select VMs with --folder, --tag, --attribute, --cluster, --pattern, --vm or --from-csv")
    records = list_vms(session)
    chosen = select_vms([Candidate(r.id, Vm.from_dict(r.facts)) for r in records], selection, load_clusters(session))
    if chosen.unknown_names:
        raise WaveError(f"no VM named {', '.join(chosen.unknown_names[:5])} in the inventory: check `migrate inventory list`")
    if not chosen.members:
        raise WaveError("the selection matches no VM: check the folder, tag, attribute, cluster or pattern")
    _refuse_members_of_other_waves(session, chosen.members, {r.id: r.name for r in records})
    wave = Wave(number=number, name=name, selection=selection.to_dict(), shutdown_timeout=policy.shutdown_timeout,
                allow_power_off=policy.allow_power_off)
    wave.members = [WaveVm(vm_id=vm_id, reason=reason) for vm_id, reason in sorted(chosen.members.items())]
    session.add(wave)
    session.flush()
    return wave


def _refuse_members_of_other_waves(session: Session, members: dict[int, str], names: dict[int, str]) -> None:
    rows = session.execute(
        select(WaveVm.vm_id, Wave.number, Wave.name).join(Wave).where(WaveVm.vm_id.in_(list(members)))
    ).all()
    if rows:
        vm_id, number, wave_name = sorted(rows)[0]
        why = "" if members[vm_id] == "selected" else f" (pulled in by its {members[vm_id]})"
        more = f" and {len(rows) - 1} more VMs" if len(rows) > 1 else ""
        label = f"wave {number}" + (f" ({wave_name})" if wave_name else "")
        raise WaveError(f"VM {names[vm_id]}{why}{more} is already in {label}: a VM is in at most one wave; "
                        "leave it out of this selection")


def read_wave_csv(path: str | Path) -> tuple[str, ...]:
    """The VM names of a CSV with a `vm` (or `name`) column; other columns are ignored."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            column = next((c for c in reader.fieldnames or [] if c.strip().lower() in _NAME_COLUMNS), None)
            if column is None:
                raise InputFileError(f"{path}: no `vm` column in the header line: the first line must name the columns, e.g. vm")
            names = tuple(row[column].strip() for row in reader if (row.get(column) or "").strip())
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: not a UTF-8 CSV file ({exc}): save it as CSV UTF-8") from None
    if not names:
        raise InputFileError(f"{path}: no VM names under the `{column}` column")
    return names


def list_waves(session: Session) -> list[WaveSummary]:
    """Every wave with its VM count and sizes."""
    summaries = []
    for wave in session.scalars(select(Wave).order_by(Wave.number)):
        vms = [Vm.from_dict(r.facts) for r in wave_records(session, wave)]
        provisioned, to_move, estimated = total(vm_size(vm) for vm in vms)
        summaries.append(WaveSummary(
            number=wave.number, name=wave.name, policy=stop_policy(wave), vms=len(vms), memory_mib=sum(vm.memory_mb or 0 for vm in vms),
            provisioned_bytes=provisioned, to_move_bytes=to_move, estimated_vms=estimated,
        ))
    return summaries


def stop_policy(wave: Wave) -> StopPolicy:
    return StopPolicy(shutdown_timeout=wave.shutdown_timeout, allow_power_off=wave.allow_power_off)


def set_stop_policy(session: Session, number: int, shutdown_timeout: int | None = None,
                    allow_power_off: bool | None = None) -> StopPolicy:
    """Change what is given of wave `number`'s stop policy; the next `migrate run` of the wave follows it."""
    wave = get_wave(session, number)
    if shutdown_timeout is not None:
        wave.shutdown_timeout = shutdown_timeout
    if allow_power_off is not None:
        wave.allow_power_off = allow_power_off
    session.flush()
    return stop_policy(wave)


def get_wave(session: Session, number: int) -> Wave:
    wave = session.scalar(select(Wave).where(Wave.number == number))
    if wave is None:
        raise NotFoundError(f"wave {number} does not exist: create it with `migrate wave create {number} ...`")
    return wave


def wave_records(session: Session, wave: Wave) -> list[VmRecord]:
    query = (select(VmRecord).join(WaveVm, WaveVm.vm_id == VmRecord.id).where(WaveVm.wave_id == wave.id)
             .order_by(VmRecord.name, VmRecord.id))
    return list(session.scalars(query))


def load_clusters(session: Session, source_ids: set[int] | None = None) -> list[Cluster]:
    query = select(ClusterRecord).order_by(ClusterRecord.id)
    if source_ids is not None:
        query = query.where(ClusterRecord.source_id.in_(source_ids))
    return [Cluster.from_dict(r.facts) for r in session.scalars(query)]



def wave_decisions(session: Session, source_id: int | None = None) -> dict[int, WaveVm]:
    """VM id -> its wave membership, holding the Proxmox name and node the customer chose in the wave document."""
    query = select(WaveVm)
    if source_id is not None:
        query = query.join(VmRecord, VmRecord.id == WaveVm.vm_id).where(VmRecord.source_id == source_id)
    return {row.vm_id: row for row in session.scalars(query)}


@dataclass(frozen=True)
class WaveMember:
    """A VM of a wave as the wave document has it: why it is in, and what the customer decided for it."""

    wave: int
    wave_name: str | None
    vm: str
    reason: str
    proxmox_name: str | None
    node: str | None
    cutover_order: int | None
    owner: str | None
    notes: str | None
    vm_id: int | None = None
    moref: str | None = None
    instance_uuid: str | None = None


def wave_members(session: Session, source: str | None = None, number: int | None = None) -> list[WaveMember]:
    """The VMs in waves, of source `source` and/or of wave `number` only, by wave, cutover order, then VM name."""
    query = (select(Wave, WaveVm, VmRecord).join(WaveVm, WaveVm.wave_id == Wave.id)
             .join(VmRecord, VmRecord.id == WaveVm.vm_id).join(Source, Source.id == VmRecord.source_id))
    if source is not None:
        query = query.where(Source.name == source)
    if number is not None:
        query = query.where(Wave.number == number)
    members = [WaveMember(wave.number, wave.name, record.name, member.reason, member.proxmox_name, member.node,
                          member.cutover_order, member.owner, member.notes, record.id, record.moref,
                          record.instance_uuid)
               for wave, member, record in session.execute(query)]
    return sorted(members, key=lambda m: (m.wave, m.cutover_order is None, m.cutover_order or 0, m.vm, m.vm_id or 0))


def chosen_names(session: Session, source_id: int) -> dict[str, str]:
    """vCenter name -> the Proxmox name the wave document gives it, for the VMs of one source."""
    records = {r.id: r.name for r in session.scalars(select(VmRecord).where(VmRecord.source_id == source_id))}
    return {records[vm_id]: row.proxmox_name for vm_id, row in wave_decisions(session, source_id).items()
            if row.proxmox_name and vm_id in records}
