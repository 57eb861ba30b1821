"""Reading an .xlsx export with openpyxl in read-only, values-only mode (streamed, never a whole sheet in memory)."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from migrate.errors import InputFileError
from migrate.discovery.rvtools.limits import DAMAGED, MAX_MEMBER_BYTES, MAX_SHARED_STRINGS_BYTES, damage, too_large
from migrate.discovery.rvtools.table import Table
from migrate.discovery.rvtools.tabs import canonical_tab

# An encrypted (password-protected) workbook is an OLE compound file, as is an old binary .xls.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class XlsxExport:
    """The tabs of one workbook."""

    kind = "xlsx"

    def __init__(self, path: Path, display: str | None = None):
        self.file = display or path.name
        self._workbook = _open_workbook(path, self.file)
        self._sheets = {}
        for sheet in self._workbook.worksheets:
            tab = canonical_tab(sheet.title)
            if tab and tab not in self._sheets:
                self._sheets[tab] = sheet

    @property
    def tabs(self) -> list[str]:
        return list(self._sheets)

    def table(self, tab: str) -> Table | None:
        sheet = self._sheets.get(tab)
        if sheet is None:
            return None
        # Trust the rows, not the stored dimension: re-saved files claim 1,048,575 rows or too few.
        sheet.reset_dimensions()
        rows = _readable(sheet.iter_rows(values_only=True), self.file, sheet.title)
        header = next(rows, None)
        if header is None:
            return None
        return Table(tab, sheet.title, self.file, header, rows)

    def close(self) -> None:
        self._workbook.close()


def _readable(rows: Iterator[tuple], file: str, sheet: str) -> Iterator[tuple]:
    """The rows of a sheet, whose XML is parsed (and its zip member inflated and checked) while they are read."""
    try:
        yield from rows
    except DAMAGED as exc:
        raise InputFileError(
            f"{file}: sheet {sheet} cannot be read ({damage(exc)}): export again with RVTools"
        ) from None


def _check_parts(path: Path, display: str) -> None:
    """Refuse parts larger than the caps: zipfile never inflates more than a part's stated size, so checking the
    stated sizes bounds what openpyxl will read."""
    with zipfile.ZipFile(path) as archive:
        for part in archive.infolist():
            shared = part.filename.endswith("sharedStrings.xml")
            limit = MAX_SHARED_STRINGS_BYTES if shared else MAX_MEMBER_BYTES
            if part.file_size > limit:
                raise InputFileError(f"{display}: {too_large(f'part {part.filename}', limit)}: it is not an RVTools export")


@contextmanager
def _sizes_left_unknown() -> Iterator[None]:
    """Stop openpyxl from reading every sheet to its end while opening the workbook.

    A sheet without a `<dimension>` element (RVTools writes none) is parsed whole at open time
    to size it, every tab including the ones never read (vFileInfo can be the largest), which
    more than doubled the import time of a 10,000-VM export. Rows are read without a size anyway
    (see `table()`), as after `reset_dimensions()`.
    """
    original = ReadOnlyWorksheet._get_size
    ReadOnlyWorksheet._get_size = lambda self: None
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = original


def _open_workbook(path: Path, display: str):
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == OLE_MAGIC:
        raise InputFileError(
            f"{display}: the workbook is encrypted (password-protected) or an old .xls file: "
            "remove the password in Excel, or save it as .xlsx, and import again"
        )
    try:
        if zipfile.is_zipfile(path):  # Else openpyxl says what it is not, below.
            _check_parts(path, display)
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; the values are what matter.
            warnings.simplefilter("ignore")
            with _sizes_left_unknown():
                return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except DAMAGED as exc:
        if isinstance(exc, zipfile.BadZipFile) and not zipfile.is_zipfile(path):
            raise InputFileError(_not_a_workbook(display, exc)) from None
        raise InputFileError(f"{display}: the workbook is damaged ({damage(exc)}): export again with RVTools") from None
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputFileError(_not_a_workbook(display, exc)) from None


def _not_a_workbook(display: str, exc: Exception) -> str:
    return (
        f"{display}: not a readable Excel workbook ({exc.__class__.__name__}): "
        "pass the .xlsx that RVTools wrote, its 'export all to csv' folder, or a .zip of either"
    )
