"""`make demo` end to end: the sample estate's wave 1 is planned and migrated on the local lab."""

from __future__ import annotations

from migrate.lab.demo import run_demo


def test_demo_migrates_wave_one_and_shows_its_status(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the demo works in its own directory; the test's is restored afterwards
    assert run_demo(tmp_path / "demo") == 0
    out, err = capsys.readouterr()
    status = out[out.index("wave  vm "):].splitlines()
    rows = [line.split() for line in status[1:] if line.strip()]  # the empty step column collapses
    assert len(rows) == 6 and all(row[2] == "done" and row[5] == "1" for row in rows), "\n".join(status)
    assert "wave 1: 6 VMs migrated, 0 failed" in err
