"""Where an export came from: the file, its checksum, the RVTools version and the vCenter (vMetaData, vSource)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from migrate.discovery.rvtools.table import Table


def sha256_of(path: Path) -> str:
    """The checksum of a file, or of a folder's files in name order (a CSV export)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(block)
    return digest.hexdigest()


def read_vmetadata(table: Table) -> dict[str, Any]:
    """vMetaData (4.x): one row of RVTools version, creation time and server; before 4.x, Property/Value rows."""
    if table.has("Property") and table.has("Value"):
        pairs = {row.text("Property"): row.raw("Value") for row in table.rows()}
        return {"rvtools_version": _text(pairs.get("RVTools version")), "vcenter": _text(pairs.get("Server"))}
    for row in table.rows():
        return {
            "rvtools_version": row.text("RVTools version"),
            "vcenter": row.text("Server"),
            "exported_at": row.timestamp("xlsx creation datetime"),
        }
    return {}


def read_vsource(table: Table) -> dict[str, Any]:
    """vSource: the vCenter's name, full name with build, and API version (first vCenter if there are several)."""
    for row in table.rows():
        return {
            "vcenter": row.text("Name", "VI SDK Server"),
            "vcenter_fullname": row.text("Fullname"),
            "api_version": row.text("API version"),
        }
    return {}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
