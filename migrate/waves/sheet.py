"""The wave document as a CSV the customer edits in a spreadsheet: `wave export` writes it, `wave import` reads it.

One row per VM of the inventory, in a wave or not. The editable columns are the wave, the Proxmox name, the
node, the cutover order, the owner and the notes; the others say which VM a row is and are read only to find
it. A VM whose row was deleted leaves its wave. An import is checked whole before anything changes: one bad
row refuses the file, naming its row number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.models import Source, VmRecord
from migrate.db.plan_models import PlanRecord, PlanVm, Wave, WaveVm
from migrate.errors import InputFileError, WaveError
from migrate.inventory.store import list_vms
from migrate.mapping.names import MAX_NAME, is_valid_name, proxmox_name
from migrate.mapping.service import source_mappings
from migrate.waves.edit import UNTOUCHED, ensure_wave, migration_statuses

COLUMNS = ("wave", "vm", "instance_uuid", "moref", "cluster", "folder", "proxmox_name", "node", "order", "owner", "notes")
EDITABLE = ("wave", "proxmox_name", "node", "order", "owner", "notes")
MAX_TEXT = 1000  # owner and notes: a sentence or two, not a document
MAX_ROWS = 200_000


@dataclass(frozen=True)
class SheetRow:
    """What one row of the document says about one VM."""

    line: int  # the row's number in the file, the header being row 1
    vm_id: int
    vm_name: str
    wave: int | None
    proxmox_name: str | None
    node: str | None
    order: int | None
    owner: str | None
    notes: str | None


@dataclass(frozen=True)
class Change:
    vm_id: int
    vm: str
    field: str
    old: str
    new: str


@dataclass
class SheetPlan:
    """An import checked and ready to apply: the changes, and the rows they come from."""

    changes: list[Change] = field(default_factory=list)
    rows: dict[int, SheetRow] = field(default_factory=dict)  # VM id -> its row; VMs not in the file are absent

    @property
    def renamed(self) -> set[int]:
        return {change.vm_id for change in self.changes if change.field == "proxmox_name"}


def export_rows(session: Session, mappings_dir: Path) -> list[dict[str, str]]:
    """Every VM of the inventory with its wave and what was decided for it, in wave then name order."""
    rows = document(session, mappings_dir).values()
    return sorted(rows, key=lambda r: (r["wave"] == "", int(r["wave"] or 0), r["vm"], r["instance_uuid"], r["moref"]))


def document(session: Session, mappings_dir: Path, records: list[VmRecord] | None = None) -> dict[int, dict[str, str]]:
    """VM id -> its row of the document as it stands."""
    members = {row.vm_id: row for row in session.scalars(select(WaveVm))}
    waves = {wave.id: wave.number for wave in session.scalars(select(Wave))}
    records = list_vms(session) if records is None else records
    names = _current_names(session, mappings_dir, records, members)
    rows = {}
    for record in records:
        member = members.get(record.id)
        rows[record.id] = {
            "wave": str(waves[member.wave_id]) if member else "", "vm": record.name,
            "instance_uuid": record.instance_uuid or "", "moref": record.moref or "", "cluster": record.cluster or "",
            "folder": record.folder or "", "proxmox_name": names[record.id],
            "node": (member.node if member else None) or "",
            "order": str(member.cutover_order) if member and member.cutover_order is not None else "",
            "owner": (member.owner if member else None) or "", "notes": (member.notes if member else None) or "",
        }
    return rows


def write_sheet(rows: Iterable[dict[str, str]]) -> str:
    """The CSV text of the rows; a cell a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _defuse(value) for key, value in row.items()})
    return buffer.getvalue()


def _defuse(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _current_names(session: Session, mappings_dir: Path, records: list[VmRecord],
                   members: dict[int, WaveVm]) -> dict[int, str]:
    """VM id -> the Proxmox name it will get: the wave document's, else its latest plan's, else the mapping file's."""
    chosen = {vm_id: row.proxmox_name for vm_id, row in members.items() if row.proxmox_name}
    planned = {}
    for vm_id, name in session.execute(select(PlanVm.vm_id, PlanVm.proxmox_name)
                                                .join(PlanRecord).order_by(PlanRecord.version)):
        planned[vm_id] = name
    pins: dict[int, dict[str, str]] = {}
    names = {}
    for record in records:
        if record.source_id not in pins:
            source = session.get(Source, record.source_id)
            mappings = source_mappings(source.name, mappings_dir)
            pins[record.source_id] = {vm: override.name for vm, override in mappings.vms.items() if override.name}
        names[record.id] = (chosen.get(record.id) or planned.get(record.id)
                            or pins[record.source_id].get(record.name) or proxmox_name(record.name))
    return names


def read_sheet(path: str | Path, session: Session, mappings_dir: Path) -> SheetPlan:
    """Check the edited document against the inventory and the journal; the changes it makes, or one error."""
    text = _read_text(path)
    records = {record.id: record for record in list_vms(session)}
    finder = _Finder(list(records.values()))
    plan = SheetPlan()
    seen_names: dict[str, int] = {}
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("wave", "vm") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputFileError(f"{path}: no `{missing[0]}` column in the header line: export the document with "
                             "`migrate wave export --csv FILE` and edit that file")
    try:
        for line, raw in enumerate(reader, start=2):
            if line > MAX_ROWS:
                raise InputFileError(f"{path}: more than {MAX_ROWS:,} rows: one row per VM of the inventory is expected")
            row = _parse_row(path, line, {k: (v or "").strip() for k, v in raw.items() if isinstance(k, str)}, finder)
            if row.vm_id in plan.rows:
                raise InputFileError(f"{path} row {line}: VM {row.vm_name} is also on row {plan.rows[row.vm_id].line}: "
                                     "keep one row per VM")
            if row.proxmox_name and row.wave is not None:
                other = seen_names.setdefault(row.proxmox_name, line)
                if other != line:
                    raise InputFileError(f"{path} row {line}: Proxmox name {row.proxmox_name} is also on row {other}: "
                                         "names must be unique on the target")
            plan.rows[row.vm_id] = row
    except csv.Error as exc:
        raise InputFileError(f"{path}: not a CSV file ({exc}): save it as CSV UTF-8") from None
    before = document(session, mappings_dir, list(records.values()))
    _diff(plan, records, before)
    _refuse_started(path, session, plan, before)
    return plan


def _read_text(path: str | Path) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(64 * 2**20 + 1)
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > 64 * 2**20:
        raise InputFileError(f"{path}: larger than 64 MiB: this is not a wave document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not UTF-8: save it as CSV UTF-8") from None
    if "\0" in text:
        raise InputFileError(f"{path}: holds a NUL character: save it as CSV UTF-8")
    return text


class _Finder:
    """Finds the VM a row is about: by instance UUID, else moref, else a name only one VM has."""

    def __init__(self, records: Sequence[VmRecord]) -> None:
        self.by_uuid = {r.instance_uuid: r for r in records if r.instance_uuid}
        self.by_moref: dict[str, list[VmRecord]] = {}
        self.by_name: dict[str, list[VmRecord]] = {}
        for record in records:
            if record.moref:
                self.by_moref.setdefault(record.moref, []).append(record)
            self.by_name.setdefault(record.name, []).append(record)

    def find(self, row: dict[str, str]) -> VmRecord | str:
        if row.get("instance_uuid"):
            found = self.by_uuid.get(row["instance_uuid"])
            return found or f"no VM with instance UUID {row['instance_uuid']} in the inventory"
        for key, index in (("moref", self.by_moref), ("vm", self.by_name)):
            if row.get(key):
                hits = index.get(row[key], [])
                if len(hits) == 1:
                    return hits[0]
                if hits:
                    return f"{len(hits)} VMs match {key} {row[key]}: keep the instance_uuid column of the export"
        return f"no VM named {row.get('vm') or row.get('moref') or '(empty)'} in the inventory"


def _parse_row(path: str | Path, line: int, row: dict[str, str], finder: _Finder) -> SheetRow:
    def refuse(problem: str) -> InputFileError:
        return InputFileError(f"{path} row {line}: {problem}")

    found = finder.find(row)
    if isinstance(found, str):
        raise refuse(found)
    wave = _integer(row.get("wave", ""), 1, 1_000_000)
    if wave == "bad":
        raise refuse(f"wave {row['wave']!r} is not a wave number: write a whole number from 1, or leave it empty")
    order = _integer(row.get("order", ""), 0, 1_000_000)
    if order == "bad":
        raise refuse(f"order {row['order']!r} is not a whole number from 0: lower numbers cut over first")
    name = row.get("proxmox_name", "").strip("'") or None
    if name is not None and not is_valid_name(name):
        raise refuse(f"Proxmox name {name!r} is not a valid name: letters, digits and inner hyphens, "
                     f"at most {MAX_NAME} characters, e.g. {proxmox_name(name)}")
    for column in ("owner", "notes", "node"):
        if len(row.get(column, "")) > MAX_TEXT:
            raise refuse(f"{column} is longer than {MAX_TEXT} characters: shorten it")
    return SheetRow(line=line, vm_id=found.id, vm_name=found.name, wave=wave, proxmox_name=name,
                    node=row.get("node", "").lstrip("'") or None, order=order,
                    owner=row.get("owner", "").lstrip("'") or None, notes=row.get("notes", "").lstrip("'") or None)


def _integer(text: str, low: int, high: int) -> int | None | str:
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        return "bad"
    return int(text)


def _diff(plan: SheetPlan, records: dict[int, VmRecord], before: dict[int, dict[str, str]]) -> None:
    for vm_id, record in sorted(records.items(), key=lambda item: (item[1].name, item[0])):
        old = before[vm_id]
        row = plan.rows.get(vm_id)
        if row is None:  # a deleted row: the VM leaves its wave
            if old["wave"]:
                plan.changes.append(Change(vm_id, record.name, "wave", old["wave"], ""))
            continue
        new = {"wave": str(row.wave or ""), "proxmox_name": row.proxmox_name or old["proxmox_name"],
               "node": row.node or "", "order": "" if row.order is None else str(row.order),
               "owner": row.owner or "", "notes": row.notes or ""}
        for column in EDITABLE:
            if new[column] != old[column]:
                plan.changes.append(Change(vm_id, record.name, column, old[column], new[column]))


def _refuse_started(path: str | Path, session: Session, plan: SheetPlan, before: dict[int, dict[str, str]]) -> None:
    """A VM that began migrating keeps its wave, name and node: they are what its journal and target VM hold."""
    statuses = migration_statuses(session, {change.vm_id for change in plan.changes})
    for change in plan.changes:
        if change.field not in ("wave", "proxmox_name", "node") or not before[change.vm_id]["wave"]:
            continue
        status = statuses.get((int(before[change.vm_id]["wave"]), change.vm_id))
        if status is not None and status not in UNTOUCHED:
            row = plan.rows.get(change.vm_id)
            where = f"row {row.line}" if row else "a deleted row"
            raise WaveError(f"{path} {where}: VM {change.vm} began migrating in wave {before[change.vm_id]['wave']} "
                            f"({status}): its {change.field.replace('_', ' ')} cannot change; roll it back first")


def apply_sheet(session: Session, plan: SheetPlan) -> None:
    """Make the document's changes: waves created as named, VMs moved, added, removed, their decisions stored."""
    members = {row.vm_id: row for row in session.scalars(select(WaveVm))}
    for vm_id, member in members.items():
        if vm_id not in plan.rows or plan.rows[vm_id].wave is None:
            session.delete(member)
    session.flush()
    for vm_id, row in plan.rows.items():
        if row.wave is None:
            continue
        wave = ensure_wave(session, row.wave)
        member = members.get(vm_id)
        if member is None:
            member = WaveVm(vm_id=vm_id, reason="wave import")
            wave.members.append(member)
        elif member.wave_id != wave.id:
            member.wave = wave
        member.node, member.cutover_order, member.owner, member.notes = row.node, row.order, row.owner, row.notes
        if vm_id in plan.renamed:
            member.proxmox_name = row.proxmox_name
    session.flush()
