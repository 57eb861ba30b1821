"""`migrate cutover --at TIME`: HH:MM today or tomorrow, or an ISO date and time; anything else named."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from migrate.errors import ExitCode, UsageError
from migrate.execution.cutover import cutover_time
from tests.support.cli import run_cli

LOCAL = timezone(timedelta(hours=1))
NOW = datetime(2026, 12, 5, 19, 30, 12, tzinfo=LOCAL)


@pytest.mark.parametrize("text, expected", [
    ("22:00", datetime(2026, 12, 5, 22, 0, tzinfo=LOCAL)),
    ("06:15", datetime(2026, 12, 6, 6, 15, tzinfo=LOCAL)),  # passed today: tomorrow
    ("19:30", datetime(2026, 12, 6, 19, 30, tzinfo=LOCAL)),  # this minute has begun: tomorrow
    ("2026-12-06T22:00", datetime(2026, 12, 6, 22, 0, tzinfo=LOCAL)),  # local, as no offset is named
    ("2026-12-06T22:00+00:00", datetime(2026, 12, 6, 22, 0, tzinfo=timezone.utc)),
])
def test_a_cutover_time_is_today_or_tomorrow_or_the_date_given(text, expected):
    assert cutover_time(text, NOW) == expected


@pytest.mark.parametrize("text, named", [
    ("25:00", "not a time"), ("tonight", "not a time"), ("2026-12-05T08:00", "that time has passed"),
])
def test_a_cutover_time_that_cannot_be_used_is_named(text, named):
    with pytest.raises(UsageError, match=f"--at {text}: {named}"):
        cutover_time(text, NOW)


def test_cutover_at_a_time_it_cannot_read_is_refused_in_one_line_before_anything_runs(tmp_path):
    result = run_cli("cutover", "--wave", "1", "--at", "tonight", db_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.exit_code == ExitCode.USAGE and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--at tonight: not a time; give HH:MM" in result.stderr
    assert not (tmp_path / "none.db").exists()
