"""Sync windows: which local times a window holds, across midnight too, and a gate that waits until it opens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from migrate.errors import UsageError
from migrate.execution.sync_window import Gate, parse_window

LOCAL = timezone(timedelta(hours=1))


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 5, hour, minute, tzinfo=LOCAL)


@pytest.mark.parametrize("text, inside, outside", [
    ("22:00-06:00", [at(22), at(23, 59), at(0), at(5, 59)], [at(6), at(12), at(21, 59)]),
    ("09:30-17:00", [at(9, 30), at(16, 59)], [at(9, 29), at(17), at(23)]),
])
def test_a_window_holds_its_hours_also_across_midnight(text, inside, outside):
    window = parse_window(text)
    assert window.text == text
    assert all(window.is_open(moment) for moment in inside)
    assert not any(window.is_open(moment) for moment in outside)


@pytest.mark.parametrize("text", ["22:00", "22-06", "25:00-06:00", "22:00-22:00", "night"])
def test_a_window_that_cannot_be_read_is_named(text):
    with pytest.raises(UsageError, match=f"--window {text}: give the local hours"):
        parse_window(text)


def test_a_gate_waits_until_the_window_opens_and_counts_the_wait():
    clock = [at(20, 59)]

    def sleep(seconds: float) -> None:
        clock[0] += timedelta(seconds=seconds)

    gate = Gate(parse_window("21:00-06:00"), "db-01 pass 2", now=lambda: clock[0], sleep=sleep)
    assert gate() == 60 and clock[0] == at(21)
    assert gate() == 0 and gate.paused == 60
    assert Gate(None)() == 0
