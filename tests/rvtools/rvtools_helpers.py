"""Where the RVTools samples are (tests/data/rvtools), and building workbooks in the layouts of real exports."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

RVTOOLS_DATA = Path(__file__).resolve().parents[1] / "data" / "rvtools"
REAL_EXPORT = RVTOOLS_DATA / "kubev2v-migration-planner-example1.xlsx"


def header_layout(name: str) -> dict[str, list[str]]:
    """The header rows of one real export, from tests/data/rvtools/headers."""
    return json.loads((RVTOOLS_DATA / "headers" / f"{name}.headers.json").read_text())["sheets"]


def write_workbook(path: Path, sheets: dict[str, tuple[list, list[dict]]]) -> Path:
    """A workbook with the given sheets: headers, then rows given as {header: value} (others empty)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    workbook.save(path)
    return path
