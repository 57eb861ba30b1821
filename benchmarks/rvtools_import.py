"""Benchmark: import a generated 10,000-VM RVTools export into SQLite.

    .venv/bin/python benchmarks/rvtools_import.py [--vms 10000]

Writes the export with `write_rvtools_export`, then imports it in a fresh child process so that
the peak RSS reported is the import's alone. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "rvtools"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the lab, which writes the export

TARGET_SECONDS = 30


def build_inventory(count: int):
    from rvtools_factories import make_disk, make_inventory, make_nic, make_vm

    vms = []
    for number in range(1, count + 1):
        mac = f"00:50:56:{number >> 16 & 255:02x}:{number >> 8 & 255:02x}:{number & 255:02x}"
        vm = make_vm(number, name=f"vm{number:05d}", host=f"esx{number % 40:02d}.example.com",
                     disks=[make_disk(), make_disk(key=2001, label="Hard disk 2", unit_number=1)],
                     nics=[make_nic(mac=mac)])
        if number % 10:
            vm.snapshots = []
        vms.append(vm)
    return make_inventory(vms)


def import_in_child(export: Path, database: Path) -> dict:
    """Run the import in a new interpreter and return its timings and peak RSS."""
    output = subprocess.run([sys.executable, __file__, "--import-only", str(export), str(database)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def import_only(export: Path, database: Path) -> None:
    from migrate.db.session import make_engine, session_factory, upgrade
    from migrate.discovery.rvtools import import_rvtools

    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    started = time.perf_counter()
    with session_factory(engine)() as session:
        summary = import_rvtools(session, export)
        session.commit()
    seconds = time.perf_counter() - started
    peak_kib = _own_peak_kib()
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "added": len(summary.added)}))


def _own_peak_kib() -> int:
    """This process's own peak resident set (VmHWM). Not ru_maxrss: Linux carries the parent's peak at
    fork time across exec, so a child of the generator (which holds the whole inventory) never reports less."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--import-only", nargs=2, metavar=("EXPORT", "DATABASE"))
    args = parser.parse_args()
    if args.import_only:
        import_only(Path(args.import_only[0]), Path(args.import_only[1]))
        return
    from lab.rvtools import write_rvtools_export

    with tempfile.TemporaryDirectory() as scratch:
        export, database = Path(scratch) / "RVTools_export_all.xlsx", Path(scratch) / "bench.db"
        started = time.perf_counter()
        write_rvtools_export(build_inventory(args.vms), export)
        written = time.perf_counter() - started
        result = import_in_child(export, database)
        size_mib = export.stat().st_size / 2**20
    verdict = "ok" if result["seconds"] <= TARGET_SECONDS else f"over the {TARGET_SECONDS} s target"
    print("| VMs | export size | write (generate) | import into SQLite | import peak RSS | target |")
    print("|---:|---:|---:|---:|---:|---|")
    print(f"| {result['added']:,} | {size_mib:.1f} MiB | {written:.1f} s | {result['seconds']:.1f} s "
          f"| {result['peak_mib']:.0f} MiB | {verdict} |")
    print(f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
