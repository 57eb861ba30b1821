"""Bad exports: one line naming file, sheet, row and column, and nothing written to the inventory."""

import zipfile

import pytest
from tests.rvtools.rvtools_helpers import write_workbook
from sqlalchemy import func, select

from migrate.db.models import DiscoveryRun, VmRecord
from migrate.errors import ExitCode, InputFileError
from migrate.discovery.rvtools import import_rvtools
from migrate.discovery.rvtools.xlsx import OLE_MAGIC


def _import_fails(session, path) -> str:
    with pytest.raises(InputFileError) as failure:
        import_rvtools(session, path)
    assert failure.value.exit_code == ExitCode.USAGE
    assert session.scalar(select(func.count()).select_from(DiscoveryRun)) == 0
    assert session.scalar(select(func.count()).select_from(VmRecord)) == 0
    message = str(failure.value)
    assert "\n" not in message
    return message


def test_a_file_that_is_not_a_workbook_is_refused(session, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("VM,CPUs\nweb01,2\n")
    assert _import_fails(session, path).startswith("notes.xlsx: not a readable Excel workbook")


def test_an_encrypted_workbook_is_refused_with_the_fix(session, tmp_path):
    # Office encrypts a workbook by wrapping it in an OLE compound file; its magic is what is detected.
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE_MAGIC + bytes(504))
    assert "encrypted (password-protected)" in _import_fails(session, path)


def test_a_workbook_without_vinfo_is_refused_naming_the_sheets_found(session, tmp_path):
    path = write_workbook(tmp_path / "trimmed.xlsx", {"vHost": (["Host"], [{"Host": "esx1"}])})
    assert _import_fails(session, path) == (
        "trimmed.xlsx: no vInfo sheet (found: vHost): export again with RVTools including the vInfo tab")


def test_a_missing_required_column_is_named(session, tmp_path):
    path = write_workbook(tmp_path / "cut.xlsx", {"vInfo": (["Name", "CPUs"], [{"Name": "a", "CPUs": 1}])})
    assert _import_fails(session, path).startswith("cut.xlsx: sheet vInfo has no column 'VM' (row 1)")


def test_a_value_of_the_wrong_type_names_file_sheet_row_and_column(session, tmp_path):
    rows = [{"VM": "a", "CPUs": 2}, {"VM": "b", "CPUs": "four"}]
    path = write_workbook(tmp_path / "typo.xlsx", {"vInfo": (["VM", "CPUs"], rows)})
    assert _import_fails(session, path) == (
        "typo.xlsx: sheet vInfo, row 3, column 'CPUs': 'four' is not a whole number: "
        "correct the cell or export again with RVTools")


def test_a_bad_value_in_a_later_tab_still_leaves_the_inventory_untouched(session, tmp_path):
    path = write_workbook(tmp_path / "late.xlsx", {
        "vInfo": (["VM"], [{"VM": "a"}]),
        "vDisk": (["VM", "Disk", "Thin"], [{"VM": "a", "Disk": "Hard disk 1", "Thin": "perhaps"}])})
    assert "sheet vDisk, row 2, column 'Thin': 'perhaps' is not True or False" in _import_fails(session, path)


def test_a_csv_value_of_the_wrong_type_names_the_csv_file(session, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "RVTools_tabvInfo.csv").write_text("VM;Memory\na;lots\n")
    assert "sheet RVTools_tabvInfo.csv, row 2, column 'Memory'" in _import_fails(session, folder)


def test_a_folder_without_vinfo_csv_is_refused(session, tmp_path):
    assert "no RVTools_tabvInfo.csv" in _import_fails(session, tmp_path)


def test_a_zip_without_an_export_is_refused(session, tmp_path):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("holiday.jpg", b"\xff\xd8")
    assert "neither an RVTools .xlsx nor RVTools_tab*.csv" in _import_fails(session, path)


def test_a_missing_path_is_refused(session, tmp_path):
    assert "no such file or folder" in _import_fails(session, tmp_path / "nowhere.xlsx")


def test_a_zip_of_several_workbooks_is_refused(session, tmp_path):
    workbook = write_workbook(tmp_path / "one.xlsx", {"vInfo": (["VM"], [{"VM": "a"}])})
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.write(workbook, "vc1.xlsx")
        zipped.write(workbook, "vc2.xlsx")
    assert "several workbooks (vc1.xlsx, vc2.xlsx): zip one export at a time" in _import_fails(session, path)


def test_an_export_without_vm_rows_is_refused_rather_than_removing_every_vm(session, tmp_path):
    path = write_workbook(tmp_path / "empty.xlsx", {"vInfo": (["VM", "CPUs"], [])})
    assert _import_fails(session, path) == (
        "empty.xlsx: sheet vInfo has no VM rows: export again with RVTools, "
        "or check that the export was not filtered to nothing")
