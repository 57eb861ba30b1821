"""Values no VM can have are refused naming sheet, row and column, instead of flowing into the Proxmox config."""

from __future__ import annotations

import pytest

from migrate.errors import ExitCode
from tests.rvtools.rvtools_helpers import write_workbook
from tests.rvtools.test_bad_input import _import_fails
from tests.support.cli import run_cli
from tests.support.unchanged import database_rows

VM = {"VM": "web01", "VM UUID": "u-1"}


@pytest.mark.parametrize(("sheet", "column", "value", "expected"), [
    ("vInfo", "CPUs", -4, "-4 is not a vCPU count from 0 to 768"),
    ("vInfo", "CPUs", 100_000, "100000 is not a vCPU count from 0 to 768"),
    ("vInfo", "Memory", 1e30, "1e+30 is not a memory size in MiB from 0 to 25,165,824"),
    ("vInfo", "Memory", 2**40, "1099511627776 is not a memory size in MiB from 0 to 25,165,824"),
    ("vInfo", "In Use MiB", "nan", "'nan' is not a number"),
    ("vInfo", "Provisioned MiB", "inf", "'inf' is not a number"),
    ("vInfo", "Provisioned MiB", -1, "-1 is not a size in MiB from 0 to 8,796,093,022,207"),
    ("vCPU", "Cores p/s", -2, "-2 is not a vCPU count from 0 to 768"),
    ("vMemory", "Reservation", -512, "-512 is not a memory size in MiB from 0 to 25,165,824"),
    ("vDisk", "Capacity MiB", -40960, "-40960 is not a disk size in MiB from 0 to 67,108,864"),
    ("vDisk", "Capacity MiB", 1e30, "1e+30 is not a disk size in MiB from 0 to 67,108,864"),
])
def test_an_absurd_value_is_refused_naming_sheet_row_and_column(session, tmp_path, sheet, column, value, expected):
    sheets = {"vInfo": (["VM", "VM UUID"], [VM])}
    headers = ["VM", "VM UUID", column] + (["Disk"] if sheet == "vDisk" else [])
    sheets[sheet] = (headers, [{**VM, column: value, "Disk": "Hard disk 1"}])
    path = write_workbook(tmp_path / "odd.xlsx", sheets)
    assert _import_fails(session, path) == (
        f"odd.xlsx: sheet {sheet}, row 2, column {column!r}: {expected}: correct the cell or export again with RVTools")


def test_discover_of_negative_cpus_is_one_line_and_changes_nothing(db_url, tmp_path):
    path = write_workbook(tmp_path / "odd.xlsx", {"vInfo": (["VM", "CPUs"], [{"VM": "web01", "CPUs": -4}])})
    rows = database_rows(db_url)
    result = run_cli("--quiet", "discover", "--rvtools", str(path), db_url=db_url)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == ("migrate: error: odd.xlsx: sheet vInfo, row 2, column 'CPUs': -4 is not a vCPU count "
                             "from 0 to 768: correct the cell or export again with RVTools\n")
    assert database_rows(db_url) == rows
