"""Damaged and hostile exports: streamed within caps, refused in one line naming the file, nothing imported."""

from __future__ import annotations

import os
import struct
import threading
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from migrate.discovery.rvtools import archive, csvdir, import_rvtools, limits, xlsx
from migrate.discovery.rvtools.archive import open_export
from migrate.errors import ExitCode
from tests.rvtools.rvtools_helpers import write_workbook
from tests.rvtools.test_bad_input import _import_fails
from tests.support.cli import run_cli
from tests.support.unchanged import database_rows

MIB = 1024**2


def _workbook(tmp_path: Path, name: str = "export.xlsx") -> Path:
    rows = [{"VM": "alpha", "CPUs": 2}, {"VM": "bravo", "CPUs": 4}]
    return write_workbook(tmp_path / name, {"vInfo": (["VM", "CPUs"], rows)})


def _rewrite(path: Path, member: str, change, stored: bool = False) -> Path:
    """Rewrite `path` with `change(bytes) -> bytes` applied to `member` (stored uncompressed if asked)."""
    with zipfile.ZipFile(path) as original:
        parts = [(info, original.read(info)) for info in original.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for info, data in parts:
            if info.filename == member:
                data = change(data)
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            rewritten.writestr(info, data)
    return path


def _flip_stored_byte(path: Path, needle: bytes, replacement: bytes) -> Path:
    """Change stored bytes after the CRC was written: the zip's CRC no longer matches."""
    data = path.read_bytes()
    assert data.count(needle) == 1
    path.write_bytes(data.replace(needle, replacement))
    return path


def _zip_claiming(path: Path, member: str, content: bytes, claimed: int) -> Path:
    """A zip whose headers state `claimed` bytes for a member that inflates to len(content)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(member, content)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.index(signature)
        struct.pack_into("<I", data, start + offset, claimed)
    path.write_bytes(bytes(data))
    return path


def test_a_zip_member_is_unpacked_a_chunk_at_a_time(tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("RVTools_tabvInfo.csv", b"VM\n" + b"x" * (64 * MIB))
    tracemalloc.start()
    try:
        with open_export(path) as export:
            assert export.tabs == ["vInfo"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MIB


def test_a_member_over_the_cap_is_refused_naming_it(session, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", MIB)
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("RVTools_tabvInfo.csv", b"VM\n" + b"x" * (2 * MIB))
    assert _import_fails(session, path) == (
        "big.zip: member RVTools_tabvInfo.csv is larger than 1 MiB, more than any RVTools export holds: "
        "it is not an RVTools export")


def test_a_header_understating_a_members_size_is_refused_by_the_crc(session, tmp_path):
    path = _zip_claiming(tmp_path / "liar.zip", "RVTools_tabvInfo.csv", b"VM\n" + b"x" * (4 * MIB), claimed=100)
    assert _import_fails(session, path) == (
        "liar.zip: the zip is damaged or cannot be read (Bad CRC-32 for file 'RVTools_tabvInfo.csv'): "
        "zip the RVTools export again")


def test_a_header_claiming_more_than_the_cap_is_refused_before_unpacking(session, tmp_path):
    path = _zip_claiming(tmp_path / "liar.zip", "RVTools_tabvInfo.csv", b"VM\na\n", claimed=limits.MAX_MEMBER_BYTES + 1)
    assert "member RVTools_tabvInfo.csv is larger than 512 MiB" in _import_fails(session, path)


def test_a_zip_of_csv_files_with_a_bad_crc_is_refused(session, tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("RVTools_tabvInfo.csv", b"VM\nalpha\n")
    _flip_stored_byte(path, b"alpha", b"alphA")
    assert "the zip is damaged or cannot be read (Bad CRC-32 for file 'RVTools_tabvInfo.csv')" in _import_fails(session, path)


def test_a_workbook_with_a_bad_crc_is_refused_naming_the_sheet(session, tmp_path):
    path = _rewrite(_workbook(tmp_path), "xl/worksheets/sheet1.xml", lambda data: data, stored=True)
    _flip_stored_byte(path, b"bravo", b"bravO")
    assert _import_fails(session, path) == (
        "export.xlsx: sheet vInfo cannot be read (Bad CRC-32 for file 'xl/worksheets/sheet1.xml'): "
        "export again with RVTools")


def test_a_sheet_declaring_xml_entities_is_refused(session, tmp_path):
    def with_entities(xml: bytes) -> bytes:
        doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        head, mark, body = xml.partition(b"?>")
        return head + mark + doctype + body if mark else doctype + xml

    path = _rewrite(_workbook(tmp_path), "xl/worksheets/sheet1.xml", with_entities)
    assert _import_fails(session, path) == (
        "export.xlsx: sheet vInfo cannot be read (its XML declares entities, which RVTools never writes): "
        "export again with RVTools")


def test_a_sheet_of_malformed_xml_is_refused(session, tmp_path):
    path = _rewrite(_workbook(tmp_path), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    assert _import_fails(session, path).startswith("export.xlsx: sheet vInfo cannot be read (malformed XML: ")


def test_a_workbook_part_over_the_cap_is_refused_before_it_is_read(session, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_MEMBER_BYTES", 20_000)
    path = _rewrite(_workbook(tmp_path), "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"alpha", b"a" * 30_000))
    assert _import_fails(session, path) == (
        "export.xlsx: part xl/worksheets/sheet1.xml is larger than 20,000 bytes, more than any RVTools export holds: "
        "it is not an RVTools export")


def test_a_device_is_refused_instead_of_read_forever(session):
    assert _import_fails(session, Path("/dev/zero")) == (
        "/dev/zero: not a regular file (a device or a pipe): pass the RVTools export file itself")


def test_a_fifo_is_refused_instead_of_waiting_for_a_writer(session, tmp_path):
    fifo = tmp_path / "export.xlsx"
    os.mkfifo(fifo)
    done = threading.Event()
    threading.Timer(10, lambda: done.is_set() or open(fifo, "wb").close()).start()  # Unblocks a hang, if any.
    try:
        assert "not a regular file" in _import_fails(session, fifo)
    finally:
        done.set()


VINFO_CSV = "VM,CPUs,Annotation\nweb01,2,\"fine\"\nweb02,4,\"owner: web\nweb03,2,\"ok\"\nweb04,1,\n"


def _csv_folder(tmp_path: Path, content: bytes) -> Path:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "RVTools_tabvInfo.csv").write_bytes(content)
    return folder


def test_an_unterminated_quote_in_a_csv_is_refused_instead_of_merging_rows(session, tmp_path):
    assert _import_fails(session, _csv_folder(tmp_path, VINFO_CSV.encode())) == (
        "csv: sheet RVTools_tabvInfo.csv, row 3 (line 3), column 'Annotation': a quote opened there is not closed "
        "where the value ends, which would merge the rows after it: fix the quoting or export again with RVTools")


def test_a_quote_left_open_to_the_end_of_a_csv_is_refused(session, tmp_path):
    folder = _csv_folder(tmp_path, b'VM;CPUs\n"web01";2\n"web02;4\n')
    assert "row 3 (line 3), column 'VM': a quote opened there is not closed" in _import_fails(session, folder)


def test_a_quoted_value_over_several_lines_is_still_one_value(session, tmp_path):
    folder = _csv_folder(tmp_path, b'VM,Annotation\nweb01,"two\nlines, ""quoted"""\nweb02,x\n')
    changes = import_rvtools(session, folder)
    assert sorted(changes.added) == ["web01", "web02"]


def test_a_nul_in_a_csv_is_refused_naming_row_and_column(session, tmp_path):
    folder = _csv_folder(tmp_path, b"VM;CPUs;Annotation\nweb01;2;ok\nweb02;2;fi\x00ne\n")
    assert _import_fails(session, folder) == (
        "csv: sheet RVTools_tabvInfo.csv, row 3, column 'Annotation': holds a NUL character, which no export "
        "writes (the file is damaged or not text): export again with RVTools")


def test_a_csv_over_the_cap_is_refused_before_it_is_read(session, tmp_path, monkeypatch):
    monkeypatch.setattr(csvdir, "MAX_MEMBER_BYTES", 10)
    assert "RVTools_tabvInfo.csv is larger than" in _import_fails(session, _csv_folder(tmp_path, VINFO_CSV.encode()))


BAD_EXPORTS = {
    "dev_zero": lambda tmp_path: Path("/dev/zero"),
    "bad_crc": lambda tmp_path: _flip_stored_byte(
        _rewrite(_workbook(tmp_path), "xl/worksheets/sheet1.xml", lambda data: data, stored=True), b"bravo", b"bravO"),
    "unterminated_quote": lambda tmp_path: _csv_folder(tmp_path, VINFO_CSV.encode()),
    "nul": lambda tmp_path: _csv_folder(tmp_path, b"VM;CPUs\nweb\x0001;2\n"),
}


@pytest.mark.parametrize("bad", BAD_EXPORTS)
def test_discover_of_a_bad_export_is_one_line_and_changes_nothing(db_url, tmp_path, bad):
    path = BAD_EXPORTS[bad](tmp_path)
    rows = database_rows(db_url)
    result = run_cli("--quiet", "discover", "--rvtools", str(path), db_url=db_url)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith("migrate: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == "" and database_rows(db_url) == rows
