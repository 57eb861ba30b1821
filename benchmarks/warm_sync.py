"""A warm copy's later pass (`migrate sync`) on a dense random disk with 1 % changed since the first pass, and the
cutover of such a VM (`migrate cutover`) against a cold `migrate run` of the same VM in the same run.

It runs tests/execution/test_sync_benchmark.py with MIGRATE_WARM_BENCH_MIB (default 4096: a 4 GiB disk) on the
lab (vcsim behind the warm vCenter, fakepve, the loopback sshd as the node, the node-mounted transport) and
prints the figures the tests print: each pass's time and the bytes read against the bytes changed; the final
pass's bytes read and the downtime (source off to target started) warm and cold, which the test holds to at most
a tenth at 1 GiB and more, both reading through a link of --bwlimit MiB/s (100: a real network's rate; the loopback
node copies at 300-500 MiB/s, which leaves the steps around the copy as large as a tenth of it). Needs root, as the
test bed does. Usage: .venv/bin/python benchmarks/warm_sync.py [--mib 4096] [--backend sqlite] [--bwlimit 100]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ("tests/execution/test_sync_benchmark.py::test_a_later_pass_reads_the_changed_one_percent_of_a_dense_disk",
         "tests/execution/test_sync_benchmark.py::test_a_cutover_after_a_sync_is_down_a_fraction_of_a_cold_run")
LINE = re.compile(r"warm (?:sync|cutover): .*")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=4096)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--bwlimit", type=float, default=100.0, metavar="MIB/S",
                        help="the link the cutover and the cold run read through (0: the loopback, unlimited)")
    args = parser.parse_args(argv)
    env = {**os.environ, "MIGRATE_WARM_BENCH_MIB": str(args.mib), "MIGRATE_WARM_BENCH_BWLIMIT": str(args.bwlimit)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                             *(f"{test}[{args.backend}]" for test in TESTS)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=3600)
    found = LINE.findall(result.stdout)
    if result.returncode != 0 or len(found) != len(TESTS):
        raise SystemExit(f"a measuring test failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    print("\n".join(found))


if __name__ == "__main__":
    main()
