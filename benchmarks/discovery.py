"""Benchmark: vCenter discovery against simulated estates of 500, 2,000 and 10,000 VMs.

    .venv/bin/python benchmarks/discovery.py [--sizes 500,2000,10000] [--runs 3] [--naive-runs N]
                                             [--json results.jsonl] [--report results.jsonl]

For each size it starts govmomi's simulator (vcsim 0.24, `lab.vcsim`), then runs every
method in a fresh child process, interleaved (run 1 of each method, then run 2 of each...), and
reports the median of the runs: wall seconds, round trips and the child's peak RSS. Methods:

- naive: pyvmomi, a ContainerView, then 19 attribute reads per VM (discovery-perf.md's baseline);
- go: govmomi, the same RetrievePropertiesEx and pathSet as ours into []mo.VirtualMachine
  (`benchmarks/goclient/main.go`, built from Debian's govmomi source into .cache/goclient);
- harvest: ours, `harvest(connection)` alone (hosts, clusters, datastores, networks and VMs);
- discover: ours, `discover_vcenter` end to end into a fresh SQLite database (login included);
  the database is created and upgraded beforehand in this process, like `migrate db upgrade`.

Times of naive, go and harvest exclude the login; discover's includes it and the database work.
Prints Markdown tables for docs/benchmarks.md. Everything stays on loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from migrate.discovery.vcenter.vms import VM_SPEC  # noqa: E402
from lab.vcsim import start_vcsim  # noqa: E402

METHODS = ("naive", "go", "harvest", "discover")
LABELS = {
    "naive": "naive pyvmomi loop (19 reads/VM)",
    "go": "Go govmomi PropertyCollector",
    "harvest": "ours: harvest alone",
    "discover": "ours: discover_vcenter into SQLite",
}
# VMs = vm x (standalone hosts + clusters): one resource pool each, as in discovery-perf.md.
MODELS = {
    500: {"cluster": 5, "host": 5, "standalone-host": 5, "vm": 50},
    2000: {"cluster": 10, "host": 10, "standalone-host": 10, "vm": 100},
    10000: {"cluster": 20, "host": 20, "standalone-host": 20, "vm": 250},
}
GO_SOURCE = REPO / "benchmarks" / "goclient"
GO_BINARY = REPO / ".cache" / "goclient"
GOPATH = "/usr/share/gocode"
TARGETS = {"naive_over_ours": 12.0, "ours_over_go": 3.0, "peak_mb_10000": 150.0}


def build_goclient() -> Path:
    """The Go baseline, built from Debian's govmomi source when missing or older than main.go."""
    source = GO_SOURCE / "main.go"
    if GO_BINARY.exists() and GO_BINARY.stat().st_mtime >= source.stat().st_mtime:
        return GO_BINARY
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": GOPATH, "GOCACHE": str(REPO / ".cache" / "go-build")}
    subprocess.run(["go", "build", "-o", str(GO_BINARY), "."], cwd=GO_SOURCE, env=env, check=True)
    return GO_BINARY


def model_for(size: int) -> dict[str, int]:
    """vcsim's counts for `size` VMs: discovery-perf.md's estates, else a similar shape near that size."""
    if size in MODELS:
        return {"dc": 1, **MODELS[size], "ds": 1, "pg": 2}
    clusters = max(1, round((size / 500) ** 0.5))
    return {"dc": 1, "cluster": clusters, "host": clusters, "standalone-host": clusters, "ds": 1, "pg": 2,
            "vm": max(1, size // (2 * clusters))}


def fresh_database(path: Path) -> None:
    """A new SQLite file at the schema's head revision, made here so that it costs the child nothing."""
    from migrate.db.session import make_engine, upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()


def run_method(method: str, sim, scratch: Path, run: int) -> dict:
    """One run of one method in its own process; returns its JSON result."""
    env = {**os.environ, "MIGRATE_VCENTER_PASSWORD": sim.password}
    if method == "go":
        url = f"https://{quote(sim.username, safe='')}@{sim.host}:{sim.port}/sdk"
        command = [str(GO_BINARY), "-url", url, "-ca-file", str(sim.ca_file), *VM_SPEC.paths]
    else:
        database = scratch / f"{method}-{run}.db"
        if method == "discover":
            fresh_database(database)
        command = [sys.executable, str(REPO / "benchmarks" / "discovery_methods.py"), method, "--host", sim.host,
                   "--port", str(sim.port), "--user", sim.username, "--ca-file", str(sim.ca_file),
                   "--database", str(database)]
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"{method} failed (exit {completed.returncode}): {completed.stderr.strip()[-2000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def measure_size(size: int, runs: int, methods: list[str], log, naive_runs: int | None = None) -> dict:
    """Start vcsim for `size` VMs, run every method `runs` times interleaved, return the medians.

    `naive_runs` caps the runs of the naive loop, which takes minutes at 10,000 VMs.
    """
    started = time.perf_counter()
    with start_vcsim(model=model_for(size), startup_timeout=600) as sim, \
            tempfile.TemporaryDirectory(prefix="migrate-bench-") as scratch:
        startup = time.perf_counter() - started
        log(f"{size} VMs: vcsim started in {startup:.1f} s")
        samples: dict[str, list[dict]] = {m: [] for m in methods}
        for run in range(runs):
            for method in methods:
                if method == "naive" and naive_runs is not None and run >= naive_runs:
                    continue
                result = run_method(method, sim, Path(scratch), run)
                samples[method].append(result)
                log(f"  run {run + 1}/{runs} {method}: {result['seconds']:.2f} s, {result['round_trips']} round "
                    f"trips, {result['peak_rss_kb'] / 1024:.0f} MB, {result['vms']} VMs")
        for method, results in samples.items():
            counted = {r["vms"] for r in results}
            if counted != {size}:
                raise SystemExit(f"{method} saw {sorted(counted)} VMs, expected {size}")
    return {"size": size, "runs": runs, "vcsim_startup_seconds": startup, "samples": samples,
            "median": {m: _median(rs) for m, rs in samples.items()}}


def _median(results: list[dict]) -> dict:
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "round_trips": statistics.median(r["round_trips"] for r in results),
        "peak_mb": statistics.median(r["peak_rss_kb"] for r in results) / 1024,
        "min_seconds": min(r["seconds"] for r in results),
        "max_seconds": max(r["seconds"] for r in results),
    }


def markdown(measurements: list[dict]) -> str:
    sizes = [m["size"] for m in measurements]
    methods = [m for m in METHODS if all(m in x["median"] for x in measurements)]
    lines = ["| method | " + " | ".join(f"{s:,} VMs" for s in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for method in methods:
        cells = []
        for m in measurements:
            med = m["median"][method]
            cells.append(f"{med['seconds']:.2f} s / {med['round_trips']:,.0f} / {med['peak_mb']:.0f} MB")
        lines.append(f"| {LABELS[method]} | " + " | ".join(cells) + " |")
    runs = ", ".join(
        f"{m['size']:,} VMs: " + ", ".join(f"{method} {len(m['samples'][method])}" for method in methods)
        for m in measurements
    )
    lines += ["", f"Cells: median wall seconds / round trips / peak RSS of the method's process. Runs: {runs}.", ""]
    lines += ["| ratio | " + " | ".join(f"{s:,}" for s in sizes) + " | target |", "|---|" + "---:|" * len(sizes) + "---|"]
    ratios = (
        ("naive / ours (discover)", "naive", "discover", f">= {TARGETS['naive_over_ours']:g}x at 2,000"),
        ("ours (discover) / Go", "discover", "go", f"<= {TARGETS['ours_over_go']:g}x at 2,000"),
        ("ours (harvest) / Go", "harvest", "go", ""),
    )
    for label, top, bottom, target in ratios:
        if top in methods and bottom in methods:
            cells = [f"{m['median'][top]['seconds'] / m['median'][bottom]['seconds']:.1f}x" for m in measurements]
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    if "discover" in methods:
        cells = [f"{m['median']['discover']['peak_mb']:.0f} MB" for m in measurements]
        lines.append("| ours (discover) peak RSS | " + " | ".join(cells) +
                     f" | < {TARGETS['peak_mb_10000']:g} MB at 10,000 |")
    lines += ["", "vcsim startup: " + ", ".join(f"{m['size']:,} VMs {m['vcsim_startup_seconds']:.1f} s"
                                                for m in measurements)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,10000", help="comma-separated VM counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per method and size (median reported)")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset of " + ",".join(METHODS))
    parser.add_argument("--naive-runs", type=int, help="cap the naive loop's runs (it takes minutes at 10,000)")
    parser.add_argument("--json", type=Path, help="append each size's measurements to this JSON-lines file")
    parser.add_argument("--report", type=Path, help="only print the tables of a JSON-lines file written by --json")
    args = parser.parse_args()
    if args.report:
        print(markdown([json.loads(line) for line in args.report.read_text().splitlines() if line.strip()]))
        return
    methods = [m for m in args.methods.split(",") if m]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown methods: {', '.join(sorted(unknown))}")
    if "go" in methods:
        build_goclient()

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    measurements = []
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        measurement = measure_size(size, args.runs, methods, log, args.naive_runs)
        measurements.append(measurement)
        if args.json:
            with args.json.open("a") as out:
                out.write(json.dumps(measurement) + "\n")
    print(markdown(measurements))


if __name__ == "__main__":
    main()
