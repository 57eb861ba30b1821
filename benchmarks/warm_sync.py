"""A warm copy's later pass (`migrate sync`) on a dense random disk with 1 % changed since the first pass.

It runs tests/execution/test_sync_benchmark.py with MIGRATE_WARM_BENCH_MIB (default 4096: a 4 GiB disk) on the
lab (vcsim behind the warm vCenter, fakepve, the loopback sshd as the node, the node-mounted transport) and
prints the figures the test prints: each pass's time and the bytes read against the bytes changed. Needs root,
as the test bed does. Usage: .venv/bin/python benchmarks/warm_sync.py [--mib 4096] [--backend sqlite]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/execution/test_sync_benchmark.py::test_a_later_pass_reads_the_changed_one_percent_of_a_dense_disk"
LINE = re.compile(r"warm sync: .*")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=4096)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    env = {**os.environ, "MIGRATE_WARM_BENCH_MIB": str(args.mib)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                             f"{TEST}[{args.backend}]"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=3600)
    found = LINE.search(result.stdout)
    if result.returncode != 0 or not found:
        raise SystemExit(f"the measuring test failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    print(found.group(0))


if __name__ == "__main__":
    main()
