"""The workbook's first sheet: where the facts came from and when, the estate's totals, and four native Excel
charts (VMs per verdict, blockers by rule, OS mix, size per cluster), each drawn from a small table beside it
so that the figures can be read and copied as well as seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from migrate import __version__
from migrate.inventory.facts import Origin
from migrate.inventory.sizes import vm_size
from migrate.readiness.assess import VmAssessment
from migrate.reports.rows import GIB, os_name
from migrate.reports.summary import ReadinessSummary
from migrate.reports.xlsx_layout import FILLS, Formats

SHEET = "Summary"
TOP_OS = 10  # the rest of the OS names are counted as "Other"
CHART_COLUMN = 4  # column E: the charts sit to the right of the tables
CHART_ROWS = 16  # a chart's height in rows (XlsxWriter's default 288 px is about 15 rows)


@dataclass(frozen=True)
class Section:
    """A table of the Summary sheet a chart reads: its title, its column headers and its rows."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    chart: dict[str, Any]  # the chart's type and title; empty for a table without a chart


def write_summary(workbook: Any, sheet: Any, formats: Formats, assessments: Sequence[VmAssessment],
                  summary: ReadinessSummary, source: str | None, generated_at: datetime) -> None:
    """The Summary sheet: its header lines, then one table per chart and the chart beside it."""
    sheet.write(0, 0, f"Readiness of {source or 'the inventory'}", formats.title)
    row = _header(sheet, formats, assessments, summary, source, generated_at, first_row=2)
    for index, section in enumerate(sections(assessments, summary)):
        first = row + 2  # the section title, then its header row
        row = _section(sheet, formats, row, section)
        if section.rows and section.chart:
            sheet.insert_chart(1 + index * CHART_ROWS, CHART_COLUMN, _chart(workbook, section, first, row - 1))
        row += 1
    sheet.set_column(0, 0, 48, formats.kinds["text"])
    sheet.set_column(1, 2, 18)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _header(sheet: Any, formats: Formats, assessments: Sequence[VmAssessment], summary: ReadinessSummary,
            source: str | None, generated_at: datetime, first_row: int) -> int:
    sizes = [vm_size(a.vm) for a in assessments]
    origin: Origin | None = summary.origin
    lines: list[tuple[str, Any, Any]] = [
        ("Source", source or "", formats.kinds["text"]),
        ("Facts from", summary.source_line, formats.kinds["text"]),
        ("Not in the source (rules needing them: not assessed)", ", ".join(sorted(origin.lacks)) if origin else "", formats.kinds["wrap"]),
        ("Fully assessed", summary.assessed_line, formats.kinds["text"]),
        ("Generated (UTC)", generated_at.replace(tzinfo=None), formats.kinds["date"]),
        ("Rules version", summary.rules_version, formats.kinds["int"]),
        ("Tool version", f"migrate {__version__}", formats.kinds["text"]),
        ("VMs", summary.total, formats.kinds["int"]),
        ("vCPUs", sum(a.vm.num_cpu or 0 for a in assessments), formats.kinds["int"]),
        ("Memory (GiB)", sum(a.vm.memory_mb or 0 for a in assessments) / 1024, formats.kinds["gib"]),
        ("Provisioned (GiB)", sum(s.provisioned_bytes for s in sizes) / GIB, formats.kinds["gib"]),
        ("To move (GiB)", sum(s.to_move_bytes for s in sizes) / GIB, formats.kinds["gib"]),
        ("VMs whose size to move is an estimate (used size unknown)", sum(1 for s in sizes if s.estimated), formats.kinds["int"]),
    ]
    for offset, (label, value, cell_format) in enumerate(lines):
        sheet.write(first_row + offset, 0, label, formats.label)
        sheet.write(first_row + offset, 1, value, cell_format)
    return first_row + len(lines) + 1


def sections(assessments: Sequence[VmAssessment], summary: ReadinessSummary) -> list[Section]:
    """The Summary's tables, in the order of their charts."""
    return [
        Section("VMs per verdict", ("Verdict", "VMs"),
                [(str(verdict), count) for verdict, count in summary.shown_verdicts.items()],
                {"type": "pie", "title": "VMs per verdict"}),
        Section("Most frequent blockers (see the Legend)", ("Rule", "VMs"),
                [(f"{item.rule_id} {item.title}", item.vms) for item in summary.top_blockers],
                {"type": "bar", "title": "VMs blocked, by rule"}),
        Section("Guest OS mix", ("Guest OS", "VMs"), os_mix(assessments), {"type": "bar", "title": "VMs per guest OS"}),
        Section("Size per cluster", ("Cluster", "Provisioned (GiB)", "To move (GiB)"), cluster_sizes(assessments),
                {"type": "column", "title": "Size per cluster (GiB)"}),
        Section("Not mapped yet (mapping file; not in the verdicts, see the Maps sheet)", ("Network or datastore", "VMs"),
                [(item.name, len(item.vms)) for item in summary.unmapped], {}),
    ]


def os_mix(assessments: Sequence[VmAssessment]) -> list[tuple[str, int]]:
    """VMs per guest OS, most frequent first; past the top ten, the rest together as `Other`."""
    counts = Counter(os_name(a.vm) or "unidentified" for a in assessments)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    rest = sum(count for _, count in ranked[TOP_OS:])
    return ranked[:TOP_OS] + ([("Other", rest)] if rest else [])


def cluster_sizes(assessments: Sequence[VmAssessment]) -> list[tuple[str, float, float]]:
    """Provisioned and to-move GiB per cluster (the one size model, `migrate.inventory.sizes`), by cluster name."""
    totals: dict[str, list[int]] = {}
    for assessment in assessments:
        size = vm_size(assessment.vm)
        sums = totals.setdefault(assessment.vm.cluster or "(no cluster)", [0, 0])
        sums[0] += size.provisioned_bytes
        sums[1] += size.to_move_bytes
    return [(name, provisioned / GIB, to_move / GIB) for name, (provisioned, to_move) in sorted(totals.items())]


def _section(sheet: Any, formats: Formats, row: int, section: Section) -> int:
    """Write a section from `row`; returns the row after its last line."""
    sheet.write(row, 0, section.title, formats.label)
    sheet.write_row(row + 1, 0, section.header, formats.heading)
    for offset, values in enumerate(section.rows or [("nothing",)], start=row + 2):
        for column, value in enumerate(values):
            sheet.write(offset, column, value, formats.kinds["gib" if isinstance(value, float) else "text"])
    return row + 2 + max(len(section.rows), 1)


def _chart(workbook: Any, section: Section, first: int, last: int) -> Any:
    """A native chart of the section's rows `first`..`last`: one series per value column."""
    chart = workbook.add_chart({"type": section.chart["type"]})
    for column in range(1, len(section.header)):
        series: dict[str, Any] = {
            "name": [SHEET, first - 1, column], "categories": [SHEET, first, 0, last, 0],
            "values": [SHEET, first, column, last, column], "data_labels": {"value": True},
        }
        if section.chart["type"] == "pie":
            series["points"] = [{"fill": {"color": FILLS[str(values[0])]}} for values in section.rows]
            series["data_labels"] = {"value": True, "category": True}
        chart.add_series(series)
    chart.set_title({"name": section.chart["title"]})
    if section.chart["type"] in ("bar", "column") and len(section.header) == 2:
        chart.set_legend({"none": True})
    return chart
