"""Time a disk copy through `copy_disk` against the same `qemu-img convert` run by hand on the node.

Run (as root, so the page cache can be dropped before each copy): .venv/bin/python benchmarks/disk_copy.py
Options: --size-gib 1 (the fully random disk), --sparse-gib 20 --data-gib 1 (the sparse disk), --runs 7
(medians are printed; this 2-core machine is shared, so single runs vary by ±50 %).
The node is a real sshd on loopback (tests/support/sshd.py); the source is a monolithicSparse VMDK made by
qemu-img; the target is a fresh raw file, as a `dir` storage allocates it. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from migrate.clients.ssh import NodeAddress, NodeShell  # noqa: E402
from migrate.execution.disk_copy import DiskCopyJob, copy_disk  # noqa: E402
from migrate.execution.qemu_img import NodePath, Target, convert_argv  # noqa: E402
from tests.support.sshd import start_sshd  # noqa: E402
from tests.support.vmdk import GIB, MIB, make_vmdk  # noqa: E402

CHUNK = 64 * MIB


def write_random(path: Path, size: int, data: int) -> None:
    """A sparse file of `size` bytes with `data` bytes of random data in 64 MiB chunks spread evenly over it."""
    chunks = max(1, data // CHUNK)
    stride = size // chunks
    with open(path, "wb") as image:
        image.truncate(size)
        for i in range(chunks):
            image.seek(i * stride)
            image.write(os.urandom(CHUNK))


def fresh_target(path: Path, size: int) -> Target:
    """A new zeroed raw volume, as PVE's `dir` storage allocates one."""
    path.unlink(missing_ok=True)
    subprocess.run(["qemu-img", "create", "-q", "-f", "raw", str(path), str(size)], check=True)
    return Target(str(path), "raw", zeroed=True)


DROP_CACHES = True


def cold_cache() -> None:
    subprocess.run(["sync"], check=True)
    if os.geteuid() == 0 and DROP_CACHES:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")


def by_hand(source: Path, target: Target) -> float:
    started = time.perf_counter()
    subprocess.run(convert_argv(NodePath(str(source)), target), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def through_toolkit(address: NodeAddress, source: Path, target: Target, size: int,
                    shell: NodeShell | None = None) -> tuple[float, float]:
    """Seconds for the whole `copy_disk` (with a new connection unless `shell` is given), and the part of it
    outside qemu-img's progress (connecting, the size checks, starting and ending the command)."""
    stamps: list[float] = []
    started = time.perf_counter()
    own = shell is None
    shell = shell or NodeShell.connect(address)
    try:
        copy_disk(shell, DiskCopyJob(NodePath(str(source)), target, size),
                  on_progress=lambda fraction: stamps.append(time.perf_counter()))
    finally:
        if own:
            shell.close()
    total = time.perf_counter() - started
    return total, total - (stamps[-1] - stamps[0])


def device_written(path: Path) -> int:
    """Bytes written so far to the block device holding `path` (/proc/diskstats, sectors of 512 bytes)."""
    dev = os.stat(path).st_dev
    major, minor = os.major(dev), os.minor(dev)
    for line in Path("/proc/diskstats").read_text().splitlines():
        fields = line.split()
        if int(fields[0]) == major and int(fields[1]) == minor:
            return int(fields[9]) * 512
    return -1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gib", type=float, default=1)
    parser.add_argument("--sparse-gib", type=float, default=20)
    parser.add_argument("--data-gib", type=float, default=1)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep-cache", action="store_true", help="never drop the page cache (it is system-wide)")
    options = parser.parse_args(argv)
    global DROP_CACHES
    DROP_CACHES = not options.keep_cache
    with tempfile.TemporaryDirectory(prefix="migrate-bench-", dir="/var/tmp") as work:
        work = Path(work)
        sshd = start_sshd(work / "sshd", private_trust=os.geteuid() == 0)
        try:
            address = NodeAddress(sshd.host, sshd.port, sshd.username, sshd.client_key, sshd.known_hosts)
            full_table(work, address, int(options.size_gib * GIB), options.runs)
            sparse_table(work, address, int(options.sparse_gib * GIB), int(options.data_gib * GIB))
        finally:
            sshd.stop()


def full_table(work: Path, address: NodeAddress, size: int, runs: int) -> None:
    raw = work / "full.raw"
    write_random(raw, size, size)
    source = make_vmdk(raw, work / "full.vmdk", "monolithicSparse")
    raw.unlink()
    print(f"| {size / GIB:g} GiB all random, monolithicSparse → raw | by hand | `copy_disk`, new connection | "
          "ratio | `copy_disk`, connection reused | ratio | best of each, ratio (new / reused) | "
          "overhead outside qemu-img (new / reused) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    modes = ("hand", "new", "reused")
    with tempfile.TemporaryDirectory(prefix="migrate-bench-", dir="/dev/shm") as shm, \
            NodeShell.connect(address) as shell:
        for label, target_path, cold in (("cold cache, target on disk", work / "target.raw", True),
                                         ("warm cache, target in RAM", Path(shm) / "target.raw", False)):
            seconds: dict[str, list[float]] = {mode: [] for mode in modes}
            outside: dict[str, list[float]] = {mode: [] for mode in modes}
            for run in range(runs):
                for mode in modes[run % 3:] + modes[:run % 3]:
                    target = fresh_target(target_path, size)
                    if cold:
                        cold_cache()
                    if mode == "hand":
                        seconds[mode].append(by_hand(source, target))
                    else:
                        total, extra = through_toolkit(address, source, target, size,
                                                       shell if mode == "reused" else None)
                        seconds[mode].append(total)
                        outside[mode].append(extra)
                    target_path.unlink()
            h, n, r = (statistics.median(seconds[mode]) for mode in modes)
            # The fastest run of each way is the one least disturbed by the machine's other work.
            bh, bn, br = (min(seconds[mode]) for mode in modes)
            print(f"| {label} | {h:.2f} s | {n:.2f} s | **{n / h:.2f}x** | {r:.2f} s | **{r / h:.2f}x** | "
                  f"{bn / bh:.2f}x / {br / bh:.2f}x | "
                  f"{statistics.median(outside['new']):.2f} s / {statistics.median(outside['reused']):.2f} s |")
    source.unlink()


def sparse_table(work: Path, address: NodeAddress, size: int, data: int) -> None:
    raw = work / "sparse.raw"
    write_random(raw, size, data)
    source = make_vmdk(raw, work / "sparse.vmdk", "monolithicSparse")
    raw.unlink()
    target_path = work / "sparse-target.raw"
    print()
    print("| sparse source | `copy_disk` | written to the device | target allocated |")
    print("|---|---:|---:|---:|")
    for zeroed in (True, False):
        target = fresh_target(target_path, size)
        target = Target(target.path, "raw", zeroed=zeroed)
        cold_cache()
        before = device_written(work)
        seconds, _ = through_toolkit(address, source, target, size)
        subprocess.run(["sync"], check=True)
        written = device_written(work) - before
        allocated = os.stat(target_path).st_blocks * 512
        flag = "with `--target-is-zero`" if zeroed else "without (non-zeroed storage)"
        print(f"| {size / GIB:g} GiB sparse holding {data / GIB:g} GiB, {flag} | {seconds:.2f} s | "
              f"{written / GIB:.2f} GiB | {allocated / GIB:.2f} GiB |")
    target_path.unlink()


if __name__ == "__main__":
    main()
