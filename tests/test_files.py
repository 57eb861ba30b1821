"""Output files appear whole or not at all, with the permissions of any file the user writes."""

import os

import pytest

from migrate.errors import UsageError
from migrate.files import replace_when_done


def test_a_failed_write_leaves_the_old_file_and_no_scratch(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with replace_when_done(target) as scratch:
            scratch.write_text("half")
            raise RuntimeError("crash")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["report.csv"]


def test_a_finished_write_replaces_the_file_readable_as_the_umask_allows(tmp_path):
    target = tmp_path / "report.csv"
    previous = os.umask(0o022)
    try:
        with replace_when_done(target) as scratch:
            scratch.write_text("new")
    finally:
        os.umask(previous)
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_missing_directory_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        with replace_when_done(tmp_path / "nope" / "x.csv"):
            pass
