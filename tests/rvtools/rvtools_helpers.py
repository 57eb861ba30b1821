"""Where the shared RVTools samples are, and building workbooks in the layouts of real exports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest

SHARED_RVTOOLS = Path(__file__).resolve().parents[2] / ".." / "shared" / "rvtools"


def skip_without_shared(path: Path, what: str) -> None:
    """Skip when the shared samples are not beside the clone; CI always has them, so there it fails."""
    if path.exists():
        return
    message = f"{what} are not at {path.resolve()}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must have ../shared beside the clone)")
    pytest.skip(message)


def header_layout(name: str) -> dict[str, list[str]]:
    """The header rows of one real export, from ../shared/rvtools/headers (skips the test if absent)."""
    path = SHARED_RVTOOLS / "headers" / f"{name}.headers.json"
    skip_without_shared(path, "the header rows of real exports")
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
