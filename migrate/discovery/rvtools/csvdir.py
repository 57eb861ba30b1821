"""Reading the "export all to csv" folder: one `RVTools_tab<Tab>.csv` per tab.

No real CSV export has been seen yet, so the reader is liberal: it sniffs `,` or `;`, accepts
UTF-8 with or without BOM and falls back to cp1252, and leaves every value a string for the same
coercion as the workbook's cells (which understands decimal commas). Quoting is read strictly: a quote
left open would otherwise swallow the rows after it into one cell, silently merging VMs.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

from migrate.errors import InputFileError
from migrate.discovery.rvtools.limits import MAX_MEMBER_BYTES, too_large
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
        if path.stat().st_size > MAX_MEMBER_BYTES:
            raise InputFileError(f"{self.file}: {too_large(path.name, MAX_MEMBER_BYTES)}: it is not an RVTools export")
        content = _decode(path.read_bytes())
        where = f"{self.file}: sheet {path.name}"
        rows = _records(content, where)
        header = next(rows, None)
        if header is None:
            return None
        if "\x00" in content:  # Stored by SQLite, refused by PostgreSQL: refused here, where it can be named.
            _refuse_nul(_records(content, where), where, header)
        return Table(tab, path.name, self.file, header, ([cell or None for cell in row] for row in rows))

    def close(self) -> None:
        pass


def _records(content: str, where: str) -> Iterator[list[str]]:
    """The CSV records of `content`; a quote left open or followed by more text is refused naming row and column."""
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(content), strict=True)
    header: list[str] = []
    for number in itertools.count(1):
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise InputFileError(_quote_problem(content, where, number, first_line, header)) from None
        header = header or record
        yield record


def _quote_problem(content: str, where: str, number: int, first_line: int, header: list[str]) -> str:
    column = _open_quote_column(content, first_line, _delimiter(content))
    name = repr(header[column]) if column < len(header) else f"#{column + 1}"
    return (
        f"{where}, row {number} (line {first_line}), column {name}: a quote opened there is not closed where "
        "the value ends, which would merge the rows after it: fix the quoting or export again with RVTools"
    )


def _open_quote_column(content: str, first_line: int, delimiter: str) -> int:
    """The column of the quoted value that goes wrong in the record starting at `first_line` (1-based)."""
    lines = io.StringIO(content, newline="")
    text = "".join(line for number, line in enumerate(lines, start=1) if number >= first_line)
    column, quoted_column, position = 0, 0, 0
    while position < len(text):
        char = text[position]
        if char == '"' and (position == 0 or text[position - 1] in (delimiter, "\n", "\r")):
            quoted_column = column
            end = text.find('"', position + 1)
            while end != -1 and text[end + 1:end + 2] == '"':  # "" is a quote inside the value.
                end = text.find('"', end + 2)
            if end == -1 or text[end + 1:end + 2] not in (delimiter, "\n", "\r", ""):
                return quoted_column
            position = end
        elif char == delimiter:
            column += 1
        elif char in "\r\n":
            break
        position += 1
    return quoted_column


def _refuse_nul(records: Iterator[list[str]], where: str, header: list[str]) -> None:
    for number, record in enumerate(records, start=1):
        for column, cell in enumerate(record):
            if "\x00" in cell:
                name = repr(header[column]) if column < len(header) else f"#{column + 1}"
                raise InputFileError(
                    f"{where}, row {number}, column {name}: holds a NUL character, which no export writes "
                    "(the file is damaged or not text): export again with RVTools"
                )


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
