"""The toolkit's own time per VM in `migrate run` (target: under 2 s), outside qemu-img and the guest.

It runs the journal-timing test of tests/execution/test_run_wave.py (a wave of three vcsim VMs through every
step on fakepve and the loopback sshd, one VM at a time) and reads the per-VM overhead it prints: each VM's
journaled step times minus the copy's own seconds and minus the guest's shutdown. Needs root, as the test bed
does. Usage: .venv/bin/python benchmarks/run_overhead.py [--runs 3]
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/execution/test_run_wave.py::test_the_journal_times_every_step_so_the_toolkits_own_overhead_can_be_told_apart"
LINE = re.compile(r"toolkit overhead per VM \(s\): (\[.*?\])")


def measure(backend: str) -> list[float]:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", f"{TEST}[{backend}]"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    found = LINE.search(result.stdout)
    if result.returncode != 0 or not found:
        raise SystemExit(f"the measuring test failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    return ast.literal_eval(found.group(1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print("| run | backend | overhead per VM (s) | worst | target 2 s |")
    print("|---:|---|---|---:|---|")
    for run in range(1, args.runs + 1):
        for backend in ("sqlite", "postgresql"):
            figures = measure(backend)
            print(f"| {run} | {backend} | {', '.join(f'{f:.2f}' for f in figures)} | {max(figures):.2f} | "
                  f"{'met' if max(figures) < 2 else 'MISSED'} |", flush=True)


if __name__ == "__main__":
    main()
