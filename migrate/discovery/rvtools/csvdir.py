"""Reading the "export all to csv" folder: one `RVTools_tab<Tab>.csv` per tab.

No real CSV export has been seen yet, so the reader is liberal: it sniffs `,` or `;`, accepts
UTF-8 with or without BOM and falls back to cp1252, and leaves every value a string for the same
coercion as the workbook's cells (which understands decimal commas).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from migrate.errors import InputFileError
from migrate.discovery.rvtools.table import Table
from migrate.discovery.rvtools.tabs import canonical_tab


class CsvExport:
    """The tabs of one CSV export folder."""

    kind = "csv"

    def __init__(self, folder: Path, display: str | None = None):
        self.file = display or folder.name
        self._files: dict[str, Path] = {}
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() == ".csv":
                tab = canonical_tab(path.name)
                if tab and tab not in self._files:
                    self._files[tab] = path

    @property
    def tabs(self) -> list[str]:
        return list(self._files)

    def table(self, tab: str) -> Table | None:
        path = self._files.get(tab)
        if path is None:
            return None
        content = _decode(path.read_bytes())
        rows = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(content))
        header = next(rows, None)
        if header is None:
            return None
        display = f"{path.name}"
        return Table(tab, display, self.file, header, ([cell or None for cell in row] for row in rows))

    def close(self) -> None:
        pass


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows tools that re-save CSV write the ANSI code page.
        return data.decode("cp1252", errors="replace")


def _delimiter(content: str) -> str:
    header = content.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def is_csv_export(folder: Path) -> bool:
    return any(canonical_tab(p.name) == "vInfo" for p in folder.iterdir() if p.suffix.lower() == ".csv")


def require_vinfo_csv(folder: Path, display: str) -> None:
    if not is_csv_export(folder):
        raise InputFileError(
            f"{display}: the folder holds no RVTools_tabvInfo.csv: "
            "pass the folder RVTools wrote with 'Export all to csv', or the .xlsx export"
        )
