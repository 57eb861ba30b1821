"""When a running copy's progress is saved to the journal: every few percent or every few seconds, never backwards."""

from __future__ import annotations

from migrate.execution.copy_progress import SECONDS, STEP, CopyProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def progress(size: int = 1000):
    saved, clock = [], Clock()
    return CopyProgress(size, saved.append, clock=clock), saved, clock


def test_progress_is_saved_each_time_the_copy_moves_on_by_a_step():
    report, saved, _ = progress()
    for percent in range(1, 101):
        report(percent / 100)
    fractions = [s["fraction"] for s in saved]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(saved) == round(1 / STEP)
    assert all(later - earlier >= STEP - 1e-9 for earlier, later in zip([0.0] + fractions, fractions))


def test_a_slow_copy_is_saved_after_some_seconds_even_below_a_step():
    report, saved, clock = progress()
    report(0.01)
    assert saved == []
    clock.now += SECONDS
    report(0.02)
    assert [s["fraction"] for s in saved] == [0.02]


def test_the_saved_progress_holds_the_bytes_done_and_the_speed_since_the_last_save():
    report, saved, clock = progress(size=2000)
    clock.now += 2
    report(0.5)
    clock.now += 4
    report(0.75)
    assert [(s["bytes_done"], s["size"], s["bytes_per_second"]) for s in saved] == [(1000, 2000, 500),
                                                                                    (1500, 2000, 125)]
    assert saved[-1]["updated_at"].endswith("+00:00")


def test_a_fraction_that_does_not_move_forward_is_not_saved():
    report, saved, clock = progress()
    report(0.5)
    clock.now += 60
    report(0.5)
    report(0.4)
    assert len(saved) == 1
