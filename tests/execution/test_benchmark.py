"""The disk copy benchmark runs end to end on small disks (the figures in docs/benchmarks.md are from 1 GiB)."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_disk_copy_benchmark_runs_on_small_disks(capsys, sshd):
    module = runpy.run_path(str(ROOT / "benchmarks" / "disk_copy.py"))
    module["main"](["--size-gib", "0.0625", "--sparse-gib", "0.5", "--data-gib", "0.0625", "--runs", "1", "--keep-cache"])
    output = capsys.readouterr().out
    assert "| cold cache, target on disk |" in output and "| warm cache, target in RAM |" in output
    assert "| 0.5 GiB sparse holding 0.0625 GiB, with `--target-is-zero` |" in output
