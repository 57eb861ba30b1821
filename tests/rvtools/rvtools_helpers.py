"""Where the shared RVTools samples are, and building workbooks in the layouts of real exports."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

SHARED_RVTOOLS = Path(__file__).resolve().parents[2] / ".." / "shared" / "rvtools"


def header_layout(name: str) -> dict[str, list[str]]:
    """The header rows of one real export, from ../shared/rvtools/headers (skips the test if absent)."""
    path = SHARED_RVTOOLS / "headers" / f"{name}.headers.json"
    if not path.exists():
        pytest.skip(f"the header rows of real exports are not at {path.resolve()}")
    return json.loads(path.read_text())["sheets"]


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
