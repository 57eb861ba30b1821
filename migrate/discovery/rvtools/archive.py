"""Opening what a consultant was sent: an .xlsx, a CSV folder, or a .zip of either.

An .xlsx is itself a zip (with `[Content_Types].xml`); any other zip is unpacked into a temporary
folder, taking only the export's files by their base names, so that hostile member paths
(`../../etc`) and zip bombs cannot write outside it or fill the disk. Members are copied a chunk at a
time and the bytes actually inflated are counted against the caps of `limits`, whatever the header says.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from migrate.errors import InputFileError
from migrate.discovery.rvtools.csvdir import CsvExport, require_vinfo_csv
from migrate.discovery.rvtools.limits import COPY_CHUNK_BYTES, DAMAGED, MAX_MEMBER_BYTES, MAX_UNPACKED_BYTES, damage, too_large
from migrate.discovery.rvtools.tabs import canonical_tab
from migrate.discovery.rvtools.xlsx import XlsxExport


@contextmanager
def open_export(path: Path) -> Iterator[XlsxExport | CsvExport]:
    """The export at `path`, closed (and any unpacked copy deleted) on exit."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file or folder: check the path of the RVTools export")
    if path.is_dir():
        require_vinfo_csv(path, path.name)
        yield CsvExport(path)
        return
    if not path.is_file():
        # /dev/zero never ends and a FIFO blocks until someone writes to it.
        raise InputFileError(f"{path}: not a regular file (a device or a pipe): pass the RVTools export file itself")
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
    try:
        with zipfile.ZipFile(path) as archive:
            chosen, is_workbook = _members_to_unpack(path, archive)
            budget = MAX_UNPACKED_BYTES
            for member in chosen:
                budget -= _unpack(path, archive, member, scratch / _base(member.filename), budget)
    except (*DAMAGED, RuntimeError, NotImplementedError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: a compression zipfile cannot read.
        raise InputFileError(
            f"{path.name}: the zip is damaged or cannot be read ({damage(exc)}): zip the RVTools export again"
        ) from None
    if is_workbook:
        name = _base(chosen[0].filename)
        return XlsxExport(scratch / name, display=f"{path.name}:{name}")
    return CsvExport(scratch, display=path.name)


def _members_to_unpack(path: Path, archive: zipfile.ZipFile) -> tuple[list[zipfile.ZipInfo], bool]:
    """The export's workbook, or its CSV files, and whether it is a workbook."""
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
    # What the headers claim is checked first (no scratch space spent); what is inflated is counted while copying.
    budget = MAX_UNPACKED_BYTES
    for member in chosen:
        _within_caps(path, member.filename, member.file_size, budget)
        budget -= member.file_size
    return chosen, bool(workbooks)


def _unpack(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Copy one member to `target` a chunk at a time and return the bytes inflated, refused past a cap."""
    written = 0
    with archive.open(member) as source, target.open("wb") as out:
        while chunk := source.read(COPY_CHUNK_BYTES):
            written += len(chunk)
            _within_caps(path, member.filename, written, budget)
            out.write(chunk)
    return written


def _within_caps(path: Path, member: str, size: int, budget: int) -> None:
    if size > MAX_MEMBER_BYTES:
        raise InputFileError(f"{path.name}: {too_large(f'member {member}', MAX_MEMBER_BYTES)}: it is not an RVTools export")
    if size > budget:
        raise InputFileError(f"{path.name}: {too_large('its content', MAX_UNPACKED_BYTES)}: it is not an RVTools export")


def _base(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name


def _is_hidden(name: str) -> bool:
    # macOS adds __MACOSX/._RVTools_tabvInfo.csv resource forks to zips it makes.
    return name.startswith("__MACOSX/") or _base(name).startswith("._")
