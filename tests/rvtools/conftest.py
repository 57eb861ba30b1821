"""Fixtures for the RVTools tests.

`session` is a stand-in until tests/conftest.py provides the shared SQLite/PostgreSQL fixture:
delete this one then. The schema is built by the Alembic revisions, so they are what is tested.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from migrate.db.session import make_engine, session_factory, upgrade

SHARED_RVTOOLS = Path(__file__).resolve().parents[2] / ".." / "shared" / "rvtools"


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'inventory.db'}")
    upgrade(engine)
    with session_factory(engine)() as db:
        yield db
    engine.dispose()


@pytest.fixture
def shared_rvtools() -> Path:
    if not SHARED_RVTOOLS.is_dir():
        pytest.skip(f"the shared RVTools samples are not at {SHARED_RVTOOLS.resolve()}")
    return SHARED_RVTOOLS


def header_layout(name: str) -> dict[str, list[str]]:
    """The header rows of one real export, from ../shared/rvtools/headers (skips if absent)."""
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
