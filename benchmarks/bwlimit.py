"""Does `--bwlimit` hold the copy's rate at the limit? A 1 GiB random disk copied by `copy_disk` on the "node" (a
real sshd on loopback) without a limit (the baseline, same run) and at each limit; with `--areas`, a sync pass's
copy instead: 1 GiB of changed areas (every other 64 KiB block of a 2 GiB flat VMDK) copied by `copy_extents`.

Run: .venv/bin/python benchmarks/bwlimit.py [--size-gib 1] [--limits 50,100,200] [--runs 3] [--areas]
The whole disk's rate is its data over the time between qemu-img's first and last progress line (the copy itself,
not the SSH set-up); the areas' rate is their bytes over the whole call (its SSH commands included, one per 1,000
areas). The ratio is that rate over the limit. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.disk_copy import fresh_target, write_random  # noqa: E402
from migrate.clients.ssh import NodeAddress, NodeShell  # noqa: E402
from migrate.execution.bandwidth import MIB  # noqa: E402
from migrate.execution.disk_copy import DiskCopyJob, copy_disk  # noqa: E402
from migrate.execution.extent_copy import copy_extents  # noqa: E402
from migrate.execution.qemu_img import NodePath  # noqa: E402
from tests.support.sshd import start_sshd  # noqa: E402
from tests.support.vmdk import GIB, make_vmdk  # noqa: E402


def copy_rate(shell: NodeShell, source: Path, target_path: Path, size: int, rate: int | None) -> float:
    """MiB/s of data over qemu-img's own time (first to last progress line)."""
    stamps: list[float] = []
    target = fresh_target(target_path, size)
    copy_disk(shell, DiskCopyJob(NodePath(str(source)), target, size, rate=rate),
              on_progress=lambda fraction: stamps.append(time.perf_counter()))
    return size / MIB / (stamps[-1] - stamps[0])


AREA = 64 * 1024  # the tracked block CBT reports at the least


def areas_rate(shell: NodeShell, source: Path, target_path: Path, size: int, rate: int | None) -> float:
    """MiB/s of a sync pass's copy of every other block of the disk (half its size), from the launch of its first
    batch to the end of its last (as the whole disk's, the set-up left out: the flat extent's probe and the check
    for a killed pass's writer, two SSH commands). The whole call's rate goes to `WHOLE_CALL`."""
    areas = [(start, AREA) for start in range(0, size, 2 * AREA)]
    target = fresh_target(target_path, size)
    batches: list[tuple[float, float]] = []
    real_run = shell.run

    def run(argv, **kwargs):
        launched = time.perf_counter()
        try:
            return real_run(argv, **kwargs)
        finally:
            if argv[0] == "perl":
                batches.append((launched, time.perf_counter()))

    shell.run = run
    started = time.perf_counter()
    try:
        copied = copy_extents(shell, NodePath(str(source)), target, areas, rate=rate)
    finally:
        del shell.run
    WHOLE_CALL.append(copied / MIB / (time.perf_counter() - started))
    return copied / MIB / (batches[-1][1] - batches[0][0])


WHOLE_CALL: list[float] = []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gib", type=float, default=1)
    parser.add_argument("--limits", default="50,100,200")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--areas", action="store_true", help="a sync pass's areas (of twice the size) instead")
    options = parser.parse_args(argv)
    size = int(options.size_gib * GIB) * (2 if options.areas else 1)
    measure, what = (areas_rate, "of changed 64 KiB areas") if options.areas else (copy_rate, "all random")
    limits = [float(x) for x in options.limits.split(",")]
    with tempfile.TemporaryDirectory(prefix="migrate-bench-", dir="/var/tmp") as work:
        work = Path(work)
        sshd = start_sshd(work / "sshd")
        try:
            raw = work / "full.raw"
            write_random(raw, size, size)
            source = make_vmdk(raw, work / "full.vmdk", "monolithicFlat" if options.areas else "monolithicSparse")
            raw.unlink()
            address = NodeAddress(sshd.host, sshd.port, sshd.username, sshd.client_key, sshd.known_hosts)
            with tempfile.TemporaryDirectory(prefix="migrate-bench-", dir="/dev/shm") as shm, \
                    NodeShell.connect(address) as shell:
                target = Path(shm) / "target.raw"
                whole_call = " | whole call (MiB/s, median)" if options.areas else ""
                print(f"| {options.size_gib:g} GiB {what} | limit (MiB/s) | measured (MiB/s, median of {options.runs}) "
                      f"| ratio to the limit | runs (MiB/s){whole_call} |")
                print("|---|---:|---:|---:|---|" + ("---:|" if options.areas else ""))
                for limit in [None, *limits]:
                    WHOLE_CALL.clear()
                    rates = [measure(shell, source, target, size, int(limit * MIB) if limit else None)
                             for _ in range(options.runs)]
                    median = statistics.median(rates)
                    ratio = f"{median / limit:.3f}" if limit else "(baseline)"
                    call = f" {statistics.median(WHOLE_CALL):.1f} |" if WHOLE_CALL else ""
                    print(f"| | {limit or 'none'} | {median:.1f} | {ratio} | "
                          f"{', '.join(f'{r:.1f}' for r in rates)} |{call}", flush=True)
        finally:
            sshd.stop()


if __name__ == "__main__":
    main()
