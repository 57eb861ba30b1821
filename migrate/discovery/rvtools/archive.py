"""Opening what a consultant was sent: an .xlsx, a CSV folder, or a .zip of either.

An .xlsx is itself a zip (with `[Content_Types].xml`); any other zip is unpacked into a temporary
folder, taking only the export's files by their base names, so that hostile member paths
(`../../etc`) and zip bombs cannot write outside it or fill the disk.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from migrate.errors import InputFileError
from migrate.discovery.rvtools.csvdir import CsvExport, require_vinfo_csv
from migrate.discovery.rvtools.tabs import canonical_tab
from migrate.discovery.rvtools.xlsx import XlsxExport

MAX_UNPACKED_BYTES = 4 * 1024**3


@contextmanager
def open_export(path: Path) -> Iterator[XlsxExport | CsvExport]:
    """The export at `path`, closed (and any unpacked copy deleted) on exit."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file or folder: check the path of the RVTools export")
    if path.is_dir():
        require_vinfo_csv(path, path.name)
        yield CsvExport(path)
        return
    if zipfile.is_zipfile(path) and not _is_workbook(path):
        with tempfile.TemporaryDirectory(prefix="rvtools-") as scratch:
            unpacked = _open_unpacked(path, Path(scratch))
            try:
                yield unpacked
            finally:
                unpacked.close()
        return
    export = XlsxExport(path)
    try:
        yield export
    finally:
        export.close()


def _is_workbook(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return "[Content_Types].xml" in archive.namelist()


def _open_unpacked(path: Path, scratch: Path) -> XlsxExport | CsvExport:
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _is_hidden(m.filename)]
        workbooks = [m for m in members if m.filename.lower().endswith(".xlsx")]
        csvs = [m for m in members if m.filename.lower().endswith(".csv") and canonical_tab(_base(m.filename))]
        chosen = csvs if csvs and not workbooks else workbooks[:1]
        if len(workbooks) > 1:
            names = ", ".join(m.filename for m in workbooks)
            raise InputFileError(f"{path.name}: the zip holds several workbooks ({names}): zip one export at a time")
        if not chosen:
            raise InputFileError(
                f"{path.name}: the zip holds neither an RVTools .xlsx nor RVTools_tab*.csv files: "
                "zip the export RVTools wrote"
            )
        if sum(m.file_size for m in chosen) > MAX_UNPACKED_BYTES:
            raise InputFileError(f"{path.name}: the zip unpacks to more than 4 GiB: it is not an RVTools export")
        for member in chosen:
            (scratch / _base(member.filename)).write_bytes(archive.read(member))
    display = f"{path.name}"
    if workbooks:
        return XlsxExport(scratch / _base(chosen[0].filename), display=f"{display}:{_base(chosen[0].filename)}")
    return CsvExport(scratch, display=display)


def _base(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name


def _is_hidden(name: str) -> bool:
    # macOS adds __MACOSX/._RVTools_tabvInfo.csv resource forks to zips it makes.
    return name.startswith("__MACOSX/") or _base(name).startswith("._")
