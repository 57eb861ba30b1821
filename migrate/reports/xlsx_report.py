"""The readiness workbook for the customer's engineers: Summary (with charts), VMs, Findings, Maps, Waves and
Legend, each data sheet an Excel table with filters, a frozen header, human headers and a print setup.

XlsxWriter is opened with formula, URL and number conversion off, so a VM named `=HYPERLINK(...)`
stays text: no escaping is needed (and none is added, so names read exactly as in vCenter).
The VMs sheet has the CSV's columns (headers for people; the CSV keeps its snake_case names, an interface)
with the sizes unrounded and each finding's rule id followed by its title, then one column per custom attribute the inventory records (owner, application...).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from migrate import __version__
from migrate.files import replace_when_done
from migrate.inventory.facts import Origin
from migrate.readiness.assess import VmAssessment
from migrate.reports.legend import RULE_COLUMNS, RULE_TITLES, VERDICT_COLUMNS, rule_rows, verdict_rows
from migrate.reports.rows import VM_COLUMNS, attribute_names, finding_rows, vm_rows
from migrate.reports.summary import summarize
from migrate.reports.xlsx_layout import Column, Formats, fit_columns, print_setup, write_table
from migrate.reports.xlsx_summary import write_summary
from migrate.waves.store import WaveMember

_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

VM_SHEET_COLUMNS = {
    "vm": Column("VM"), "datacenter": Column("Datacenter"), "cluster": Column("Cluster"), "folder": Column("Folder"),
    "power_state": Column("Power state"), "guest_os": Column("Guest OS"), "vcpu": Column("vCPUs", "int"),
    "memory_gb": Column("Memory (GiB)", "gib"), "disks": Column("Disks", "int"),
    "provisioned_gb": Column("Provisioned (GiB)", "gib"), "to_move_gb": Column("To move (GiB)", "gib"),
    "bytes_estimated": Column("Size to move estimated"), "verdict": Column("Verdict"), "blockers": Column("Blockers", "int"),
    "warnings": Column("Warnings", "int"), "finding_ids": Column("Findings (rule and title; see the Legend)", "lines"),
    "unmapped": Column("Not mapped yet"), "proxmox_name": Column("Proxmox name"), "proxmox_ostype": Column("Proxmox OS type"),
    "target_bridges": Column("Target bridges"),
}
FINDING_SHEET_COLUMNS = {
    "vm": Column("VM"), "rule_id": Column("Rule"), "severity": Column("Severity"), "message": Column("Message"),
    "remedy": Column("Remedy"), "evidence": Column("Evidence"),
}
MAPS_COLUMNS = (Column("Not mapped"), Column("VMs", "int"), Column("VM names"))
WAVE_COLUMNS = (Column("Wave", "int"), Column("Wave name"), Column("VM"), Column("In the wave because"),
                Column("Proxmox name"), Column("Node"), Column("Cutover order", "int"), Column("Owner"), Column("Notes"))


def write_readiness_xlsx(
    assessments: Sequence[VmAssessment], path: str | Path, *, source: str | None = None, generated_at: datetime | None = None,
    origin: Origin | None = None, waves: Sequence[WaveMember] = (),
) -> None:
    """Write the workbook to `path`. `source`, where its facts came from (`origin`) and `generated_at` head the
    Summary sheet and fill the document properties; `waves` lists the VMs that are in a wave."""
    generated_at = (generated_at or datetime.now(UTC)).astimezone(UTC)
    summary = summarize(assessments, origin=origin)
    with replace_when_done(path) as scratch:
        workbook = xlsxwriter.Workbook(str(scratch), _OPTIONS)
        try:
            _properties(workbook, source, summary.source_line, generated_at)
            formats = Formats(workbook)
            write_summary(workbook, workbook.add_worksheet("Summary"), formats, assessments, summary, source, generated_at)
            _vms(workbook.add_worksheet("VMs"), formats, assessments)
            _sheet(workbook.add_worksheet("Findings"), formats, "Findings", tuple(FINDING_SHEET_COLUMNS.values()),
                   list(finding_rows(assessments)), coloured="Severity")
            _sheet(workbook.add_worksheet("Maps"), formats, "Maps", MAPS_COLUMNS,
                   [(item.name, len(item.vms), ", ".join(item.vms)) for item in summary.unmapped])
            _sheet(workbook.add_worksheet("Waves"), formats, "Waves", WAVE_COLUMNS, [_wave_row(m) for m in waves])
            _legend(workbook.add_worksheet("Legend"), formats)
        finally:
            workbook.close()


def _properties(workbook: Any, source: str | None, source_line: str, generated_at: datetime) -> None:
    """Title, source and date in the file's properties, so a file found later says what it is."""
    workbook.set_properties({
        "title": f"Readiness of {source or 'the inventory'}", "subject": f"Facts from {source_line}",
        "author": f"migrate {__version__}", "comments": f"Generated {generated_at:%Y-%m-%d %H:%M} UTC by migrate {__version__}",
        "created": generated_at.replace(tzinfo=None), "keywords": "readiness, VMware, Proxmox VE",
    })
    workbook.set_custom_property("Source", source or "")
    workbook.set_custom_property("Facts from", source_line)
    workbook.set_custom_property("Tool version", __version__)


def _vms(sheet: Any, formats: Formats, assessments: Sequence[VmAssessment]) -> None:
    attributes = attribute_names(assessments)
    columns = tuple(VM_SHEET_COLUMNS[name] for name in VM_COLUMNS) + tuple(Column(name) for name in attributes)
    ids = VM_COLUMNS.index("finding_ids")
    rows = [(*row[:ids], _titled(row[ids]), *row[ids + 1:], *((a.vm.custom_attributes or {}).get(name) for name in attributes))
            for row, a in zip(vm_rows(assessments, exact_sizes=True), assessments, strict=True)]
    _sheet(sheet, formats, "VMs", columns, rows, coloured="Verdict")


def _titled(finding_ids: str) -> str:
    """`DSK-06;TLS-01` as one line per rule with its title, so the sheet reads without the Legend."""
    return "\n".join(f"{rule_id} {RULE_TITLES.get(rule_id, '')}".rstrip() for rule_id in finding_ids.split(";") if rule_id)


def _sheet(sheet: Any, formats: Formats, name: str, columns: Sequence[Column], rows: list[tuple[Any, ...]],
           coloured: str | None = None) -> None:
    write_table(sheet, formats, name, columns, rows, coloured=coloured)
    fit_columns(sheet, formats, columns, rows)
    sheet.freeze_panes(1, 1)
    print_setup(sheet)


def _legend(sheet: Any, formats: Formats) -> None:
    """The verdicts explained, then every rule of the catalog with its severity, title and remedy."""
    verdicts, rules = verdict_rows(), rule_rows()
    rules_row = write_table(sheet, formats, "Verdicts", VERDICT_COLUMNS, verdicts, coloured="Verdict") + 1
    write_table(sheet, formats, "Rules", RULE_COLUMNS, rules, first_row=rules_row, coloured="Severity")
    # One width per column for both tables: the rules' texts are the longer ones.
    fit_columns(sheet, formats, RULE_COLUMNS, [*verdicts, *rules])
    print_setup(sheet)


def _wave_row(member: WaveMember) -> tuple[Any, ...]:
    return (member.wave, member.wave_name, member.vm, member.reason, member.proxmox_name, member.node,
            member.cutover_order, member.owner, member.notes)
