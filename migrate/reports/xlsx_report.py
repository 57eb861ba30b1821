"""The readiness workbook: VMs, Findings, Summary and Maps sheets, as Excel tables with frozen headers.

XlsxWriter is opened with formula, URL and number conversion off, so a VM named `=HYPERLINK(...)`
stays text: no escaping is needed (and none is added, so names read exactly as in vCenter).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from migrate.files import replace_when_done
from migrate.inventory.facts import Origin
from migrate.readiness.assess import VmAssessment
from migrate.reports.rows import FINDING_COLUMNS, VM_COLUMNS, finding_rows, vm_rows
from migrate.reports.summary import summarize, unmapped_names

_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
_FILLS = {"Not ready": "#F4CCCC", "Ready with conditions": "#FFF2CC", "Unknown": "#D9D9D9", "Ready": "#D9EAD3",
          "blocker": "#F4CCCC", "warning": "#FFF2CC", "unknown": "#D9D9D9"}


def write_readiness_xlsx(
    assessments: Sequence[VmAssessment], path: str | Path, *, source: str | None = None, generated_at: datetime | None = None,
    origin: Origin | None = None,
) -> None:
    """Write the workbook to `path`. `source`, where its facts came from (`origin`) and `generated_at` head the
    Summary sheet."""
    with replace_when_done(path) as scratch:
        workbook = xlsxwriter.Workbook(str(scratch), _OPTIONS)
        try:
            fills = {word: workbook.add_format({"bg_color": color}) for word, color in _FILLS.items()}
            _table(workbook.add_worksheet("VMs"), "VMs", VM_COLUMNS, list(vm_rows(assessments)), fills, "verdict")
            _table(workbook.add_worksheet("Findings"), "Findings", FINDING_COLUMNS, list(finding_rows(assessments)), fills, "severity")
            _summary(workbook.add_worksheet("Summary"), assessments, source, generated_at or datetime.now(UTC), origin)
            _maps(workbook.add_worksheet("Maps"), assessments)
        finally:
            workbook.close()


def _table(sheet: Any, name: str, columns: Sequence[str], rows: list[tuple], fills: dict, coloured: str) -> None:
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    last_row = max(len(rows), 1)
    sheet.add_table(0, 0, last_row, len(columns) - 1, {"name": name, "columns": [{"header": c} for c in columns]})
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, len(columns) - 1, 18)
    column = columns.index(coloured)
    for word, fill in fills.items():
        sheet.conditional_format(1, column, last_row, column, {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fill})


MAPS_COLUMNS = ("not mapped", "vms", "vm_names")


def _maps(sheet: Any, assessments: Sequence[VmAssessment]) -> None:
    """The networks and datastores the mapping file does not map yet, apart from the VMs' verdicts."""
    rows = [(item.name, len(item.vms), ", ".join(item.vms)) for item in unmapped_names(assessments)]
    _table(sheet, "Maps", MAPS_COLUMNS, rows, {}, "not mapped")


def _summary(sheet: Any, assessments: Sequence[VmAssessment], source: str | None, generated_at: datetime,
             origin: Origin | None) -> None:
    summary = summarize(assessments, origin=origin)
    rows: list[tuple[Any, ...]] = [
        ("Source", source or ""), ("Facts from", summary.source_line),
        ("Not in the source (rules needing them: not assessed)", ", ".join(sorted(origin.lacks)) if origin else ""),
        ("Fully assessed", summary.assessed_line),
        ("Generated (UTC)", generated_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("Rules version", summary.rules_version), ("VMs", summary.total), (), ("Verdict", "VMs"),
    ]
    rows += [(str(verdict), count) for verdict, count in summary.shown_verdicts.items()]
    rows += [(), ("Most frequent blockers", "VMs")]
    rows += [(f"{item.rule_id} {item.title}", item.vms) for item in summary.top_blockers]
    rows += [(), ("Not mapped yet (mapping file; not in the verdicts, see the Maps sheet)", "VMs")]
    rows += [(item.name, len(item.vms)) for item in summary.unmapped] or [("nothing: every network and datastore is mapped", "")]
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 1, 22)
