"""Outputs that cannot be written: one line naming the path and the fix, nothing written, the database unchanged.

/sys refuses new files even to root (tests may run as root, which ignores permission bits).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.errors import ExitCode
from tests.factories import make_vm
from tests.support.cli import run_cli
from tests.support.unchanged import database_rows, folder_files
from tests.test_cli import seed

UNWRITABLE = Path("/sys")


def _refused(db_url, tmp_path, *command) -> str:
    rows, files = database_rows(db_url), folder_files(tmp_path)
    result = run_cli(*command, db_url=db_url)
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert database_rows(db_url) == rows and folder_files(tmp_path) == files
    return result.stderr


@pytest.mark.parametrize("option", ["--csv", "--findings-csv", "--xlsx"])
def test_a_readiness_report_in_an_unwritable_directory_is_one_line_and_writes_nothing(db_url, tmp_path, option):
    seed(db_url, make_vm("app-01"))
    (tmp_path / "r.csv").write_text("the previous report\n")
    stderr = _refused(db_url, tmp_path, "readiness", "--dir", str(tmp_path / "maps"), "--csv", str(tmp_path / "r.csv"),
                      option if option != "--csv" else "--findings-csv", str(UNWRITABLE / "report"))
    assert stderr == (f"migrate: error: cannot write {UNWRITABLE / 'report'} (Permission denied): choose a writable "
                      f"directory, or fix the permissions of {UNWRITABLE}\n")


def test_mapping_init_into_an_unwritable_directory_is_one_line(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    stderr = _refused(db_url, tmp_path, "mapping", "init", "--dir", str(UNWRITABLE / "maps"))
    assert stderr.startswith(f"migrate: error: cannot create the mappings directory {UNWRITABLE / 'maps'} (")
    assert stderr.endswith("): choose another --dir, or fix the permissions of its parent\n")


def test_mapping_init_into_an_existing_unwritable_directory_is_one_line(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    stderr = _refused(db_url, tmp_path, "mapping", "init", "--dir", str(UNWRITABLE))
    assert stderr.startswith(f"migrate: error: cannot write {UNWRITABLE / 'vc.example.com.yaml'} (Permission denied)")


def test_a_runbook_into_an_unwritable_directory_is_one_line(db_url, session, tmp_path):
    from tests.runbook.test_runbook import store_plan

    store_plan(session)
    stderr = _refused(db_url, tmp_path, "runbook", "--wave", "1", "-o", str(UNWRITABLE / "wave-1.md"))
    assert stderr == (f"migrate: error: -o cannot write {UNWRITABLE / 'wave-1.md'} (Permission denied): choose a "
                      f"writable directory, or fix the permissions of {UNWRITABLE}\n")
