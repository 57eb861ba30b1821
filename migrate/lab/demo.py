"""`make demo`: the main job on the local lab, step by step, as a consultant would type it.

The vCenter simulator is started with the sample estate loaded, and a simulated Proxmox VE cluster
for the target; everything the demo writes goes to `demo/` (the database, the mapping file, the
readiness report, the runbook of wave 1). Run it with `python -m migrate.lab.demo`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from migrate.cli.context import AppContext
from migrate.cli.main import main as migrate
from migrate.lab.lab import start_lab
from migrate.lab.pve import start_simulated_target
from migrate.lab.vcsim import REPO_ROOT

DEMO_DIR = REPO_ROOT / "demo"
SAMPLE_MAP = REPO_ROOT / "sample_inventory" / "mappings.yaml"


def run_demo(workdir: Path = DEMO_DIR) -> int:
    """Start the lab, then discover, summarise, map and assess it; returns the first failing exit code."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    os.chdir(workdir)
    _say("starting the lab: the vCenter simulator with the sample estate (sample_inventory/estate.yaml)")
    with start_lab() as lab:
        _say(f"lab vCenter at {lab.url} ({lab.load_report.vms} VMs loaded in {lab.load_report.seconds:.1f} s)")
        source = f"{lab.host}:{lab.port}"
        env = {"MIGRATE_VCENTER_PASSWORD": lab.password, "MIGRATE_DB": "sqlite:///migrate.db"}
        steps = [
            ["db", "upgrade"],
            ["discover", "--vcenter", source, "--user", lab.username, "--ca-file", str(lab.ca_file)],
            ["inventory", "summary"],
            ["mapping", "init"],
        ]
        if code := _run_all(steps, env):
            return code
    _install_sample_map(workdir / "mappings" / f"{source.replace(':', '_')}.yaml", source)
    steps = [
        ["mapping", "check"],
        ["readiness", "--csv", "readiness.csv", "--findings-csv", "findings.csv", "--xlsx", "readiness.xlsx"],
    ]
    if code := _run_all(steps, env):
        return code
    _say("starting a simulated Proxmox VE cluster (fakepve: 3 nodes, Ceph and NFS storages, bridges vmbr0-2)")
    with start_simulated_target(workdir) as target:
        if code := _run_all(target.steps(runbook="wave-1.md"), {**env, "MIGRATE_PVE_TOKEN_SECRET": target.secret}):
            return code
    _say(f"done: readiness report {workdir}/readiness.xlsx (and .csv), wave 1 runbook {workdir}/wave-1.md")
    return 0


def _run_all(steps: list[list[str]], env: dict[str, str]) -> int:
    for args in steps:
        _say("$ migrate " + shlex.join(args))
        code = migrate(args, app=AppContext(env=env))
        if code:
            _say(f"the demo stopped: `migrate {args[0]}` exited with {code}")
            return code
    return 0


def _install_sample_map(path: Path, source: str) -> None:
    """The consultant's filled-in map of the sample estate, in place of the TODOs `mapping init` wrote."""
    _say(f"# the consultant fills in {path.name}; the demo uses sample_inventory/mappings.yaml")
    text = SAMPLE_MAP.read_text(encoding="utf-8").replace('source: "lab"', f'source: "{source}"')
    path.write_text(text, encoding="utf-8")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(run_demo())
