"""A sheet of an export as a header plus rows, with columns looked up by name.

Columns are found by header name, never by position: real exports carry custom-attribute
columns in the middle of a sheet and columns that people typed in. Headers match case- and
whitespace-insensitively, `MB` matches `MiB` (both are binary MiB), and the `-DBColumnNames`
variant (`vInfoVMName`) matches once its sheet prefix is stripped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from migrate.errors import InputFileError, MissingColumnError
from migrate.discovery.rvtools import values
from migrate.discovery.rvtools.values import BadValue

# A LibreOffice re-save claims 1,048,575 rows and an Excel re-save keeps thousands of styled
# blank rows; a sheet ends after this many blank rows in a row.
BLANK_ROWS_ENDING_A_SHEET = 1000


def header_key(header: str) -> str:
    """The form in which two spellings of one header compare equal."""
    lowered = re.sub(r"\bmb\b", "mib", header.strip().casefold())
    return re.sub(r"\s+", "", lowered)


class Table:
    """One tab of an export: `display` names it in messages (sheet name or CSV file name)."""

    def __init__(self, tab: str, display: str, file: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]):
        self.tab = tab
        self.display = display
        self.file = file
        self.headers: list[str | None] = [values.text(h) for h in header]
        self._rows = rows
        self._index: dict[str, int] = {}
        self._lookups: dict[tuple[str, ...], int | None] = {}
        prefix = header_key(tab)
        for position, name in enumerate(self.headers):
            if name is None:
                continue
            key = header_key(name)
            self._index.setdefault(key, position)
            if key.startswith(prefix) and len(key) > len(prefix):  # -DBColumnNames: vInfoVMName
                self._index.setdefault(key[len(prefix):], position)

    def column(self, *names: str) -> int | None:
        """The position of the first of `names` the sheet has, else None."""
        try:
            return self._lookups[names]
        except KeyError:
            pass
        found = next((self._index[k] for k in map(header_key, names) if k in self._index), None)
        self._lookups[names] = found
        return found

    def has(self, *names: str) -> bool:
        return self.column(*names) is not None

    def require(self, *names: str) -> int:
        position = self.column(*names)
        if position is None:
            raise MissingColumnError(
                f"{self.file}: sheet {self.display} has no column {names[0]!r} (row 1): "
                "export the tab again with RVTools, or restore the column header",
                self.display, names[0],
            )
        return position

    def rows(self) -> Iterator[Row]:
        """The data rows, skipping blank ones and stopping at the blank tail of a re-saved file."""
        blanks = 0
        for number, cells in enumerate(self._rows, start=2):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                blanks += 1
                if blanks >= BLANK_ROWS_ENDING_A_SHEET:
                    return
                continue
            blanks = 0
            yield Row(self, number, cells)


class Row:
    """One data row; each getter takes the header and its older spellings, and returns None if absent."""

    __slots__ = ("table", "number", "cells")

    def __init__(self, table: Table, number: int, cells: Sequence[Any]):
        self.table = table
        self.number = number
        self.cells = cells

    def raw(self, *names: str) -> Any:
        position = self.table.column(*names)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def text(self, *names: str) -> str | None:
        return values.text(self.raw(*names))

    def bool(self, *names: str) -> bool | None:
        return self._parsed(values.boolean, names)

    def int(self, *names: str, within: values.Range | None = None) -> int | None:
        if within is None:
            return self._parsed(values.integer, names)
        return self._parsed(lambda value: within.check(values.integer(value)), names)

    def float(self, *names: str) -> float | None:
        return self._parsed(values.number, names)

    def bytes_from_mib(self, *names: str, within: values.Range = values.SIZE_MIB) -> int | None:
        return self._parsed(lambda value: values.mib_to_bytes(value, within), names)

    def timestamp(self, *names: str) -> str | None:
        return self._parsed(values.timestamp, names)

    def _parsed(self, parse: Callable[[Any], Any], names: tuple[str, ...]) -> Any:
        value = self.raw(*names)
        try:
            return parse(value)
        except BadValue as bad:
            position = self.table.column(*names)
            header = self.table.headers[position]
            raise InputFileError(
                f"{self.table.file}: sheet {self.table.display}, row {self.number}, column {header!r}: "
                f"{value!r} is not {bad.expected}: correct the cell or export again with RVTools"
            ) from None
