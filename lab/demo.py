"""`make demo`: the main job on the local lab, step by step, as a consultant would type it.

The vCenter simulator is started with the sample estate loaded, a simulated Proxmox VE cluster for the
target, and a real sshd on loopback as every node's shell; wave 1 is planned and then migrated with
`migrate run --verify` (its VMs' empty disk files replaced by small real VMDKs first, qemu-img copying them
for real, then comparing each copy with its source), and `migrate status` shows the result. Everything the
demo writes goes to `demo/` (the database, the mapping file, the readiness report, the runbook of wave 1).
Run it with `python -m lab.demo`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lab.lab import start_lab
from lab.node import start_lab_node
from lab.pve import NODES, SimulatedTarget, start_simulated_target
from lab.vcsim import REPO_ROOT
from migrate.cli.context import AppContext
from migrate.cli.main import main as migrate

SOURCE = "lab"  # the name sample_inventory/mappings.yaml is written for
DEMO_DIR = REPO_ROOT / "demo"
SAMPLE_MAP = REPO_ROOT / "sample_inventory" / "mappings.yaml"


@dataclass(frozen=True)
class MigratedWave:
    """Where wave 1's disks are once the demo migrated them: its database, the source datastores' directories
    (datastore -> directory), and the simulated target (whose `volume_file` finds a volume's file)."""

    database: Path
    datastore_paths: dict[str, str]
    target: SimulatedTarget


def run_demo(workdir: Path = DEMO_DIR, inspect: Callable[[MigratedWave], None] | None = None,
             start: bool = False) -> int:
    """Start the lab, then discover, summarise, map, assess, plan and migrate wave 1; the first failing exit code.

    `inspect` is called with the migrated wave while the lab still runs (the tests compare its disks, and finalize
    it). With `start` the target VMs are started after the copy, as a production wave would; the lab's guests
    have no agent, so the run waits only a few seconds for one (the demo leaves them stopped).
    """
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    os.chdir(workdir)
    _say("starting the lab: the vCenter simulator with the sample estate (sample_inventory/estate.yaml)")
    with start_lab() as lab:
        _say(f"lab vCenter at {lab.url} ({lab.load_report.vms} VMs loaded in {lab.load_report.seconds:.1f} s)")
        env = {"MIGRATE_VCENTER_PASSWORD": lab.password, "MIGRATE_DB": "sqlite:///migrate.db"}
        # The source is recorded once; no later command names the vCenter, its user or its CA again.
        steps = [
            ["db", "upgrade"],
            ["source", "add", SOURCE, "--vcenter", f"{lab.host}:{lab.port}", "--user", lab.username,
             "--ca-file", str(lab.ca_file)],
            ["source", "check", SOURCE],
            ["discover"],
            ["inventory", "summary"],
            ["mapping", "init"],
        ]
        if code := _run_all(steps, env):
            return code
        _install_sample_map(workdir / "mappings" / f"{SOURCE}.yaml", _node_mounts(lab.workdir / "datastores"))
        steps = [
            ["mapping", "check"],
            ["readiness", "--csv", "readiness.csv", "--findings-csv", "findings.csv", "--xlsx", "readiness.xlsx"],
        ]
        if code := _run_all(steps, env):
            return code
        _say("starting a simulated Proxmox VE cluster (fakepve: 3 nodes, Ceph and NFS storages, bridges vmbr0-2) "
             "and a node shell (sshd on loopback)")
        with start_simulated_target(workdir) as target, start_lab_node(workdir / "node") as node:
            env = {**env, "MIGRATE_PVE_TOKEN_SECRET": target.secret}
            ssh = ("--ssh-user", node.username, "--ssh-key", str(node.key), "--known-hosts", str(node.known_hosts))
            nodes = {name: f"{node.host}:{node.port}" for name in NODES}
            if code := _run_all(target.steps(runbook="wave-1.md", ssh=ssh, node_addresses=nodes), env):
                return code
            paths = _write_wave_disks(lab.workdir / "datastores", wave=1)
            # Nodes and datastores are reached as the target and the mapping file recorded: no flag names them.
            # The lab's disks hold data, not an operating system: there is no guest to convert (tests/guest and
            # tests/execution/test_run_convert_guest.py migrate and boot a real one).
            started = ("--agent-timeout", "2") if start else ("--no-start",)
            run = ["run", "--wave", "1", *started, "--verify", "--no-convert"]
            if code := _run_all([run, ["status", "--wave", "1"], ["report", "--html", "report.html"]], env):
                return code
            if inspect is not None:
                inspect(MigratedWave(workdir / "migrate.db", paths, target))
    _say(f"done: wave 1 migrated, every disk compared with its source (--verify). For the customer: the management "
         f"report {workdir}/report.html, the readiness workbook {workdir}/readiness.xlsx (and .csv), the wave 1 "
         f"runbook {workdir}/wave-1.md")
    return 0


def _write_wave_disks(datastores: Path, wave: int) -> dict[str, str]:
    """Small real VMDKs (sparse, 1 MiB of data) where the wave's VM disks are; the lab's are empty files.

    Returns the datastores' directories, which the lab node reads as node-mounted datastores.
    """
    from sqlalchemy import select

    from migrate.db.models import VmRecord
    from migrate.db.session import make_engine, session_factory
    from migrate.planning.store import load_plan

    engine = make_engine("sqlite:///migrate.db")
    try:
        with session_factory(engine)() as session:
            _, plan = load_plan(session, wave)
            centers = dict(session.execute(select(VmRecord.id, VmRecord.datacenter)).all())
    finally:
        engine.dispose()
    paths: dict[str, str] = {}
    for vm in plan.vms:
        for index, disk in enumerate(d for d in vm.disks if d.source_file):
            datastore, _, relative = disk.source_file.partition("] ")
            directory = datastores / str(centers.get(vm.vm_id)) / datastore.lstrip("[")
            paths[datastore.lstrip("[")] = str(directory)
            _make_vmdk(directory / relative, disk.size_bytes, seed=f"{vm.vm_name}/{index}")
    _say(f"# wrote small real VMDKs for the {len(plan.vms)} VMs of wave {wave} (the lab's disks are empty files)")
    return paths


def _make_vmdk(path: Path, size: int, seed: str) -> None:
    raw = path.with_suffix(".raw")
    with open(raw, "wb") as out:
        out.truncate(size)
        out.write(hashlib.sha256(seed.encode()).digest() * (1024 * 1024 // 32))
    try:
        subprocess.run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse",
                        str(raw), str(path)], check=True, capture_output=True)
    finally:
        raw.unlink()


def _run_all(steps: list[list[str]], env: dict[str, str]) -> int:
    for args in steps:
        _say("$ migrate " + shlex.join(args))
        code = migrate(args, app=AppContext(env=env))
        if code:
            _say(f"the demo stopped: `migrate {args[0]}` exited with {code}")
            return code
    return 0


def _install_sample_map(path: Path, node_mounts: dict[str, str]) -> None:
    """The consultant's filled-in map of the sample estate, in place of the TODOs `mapping init` wrote, with the
    path where the lab's node mounts each datastore (as a consultant writes where the nodes mount an NFS one)."""
    _say(f"# the consultant fills in {path.name}; the demo uses sample_inventory/mappings.yaml, with node_path "
         "for the datastores the lab node mounts")
    lines = []
    for line in SAMPLE_MAP.read_text(encoding="utf-8").splitlines():
        datastore = line.strip().partition(":")[0].strip('"')
        if line.startswith('  "') and datastore in node_mounts and line.rstrip().endswith("}"):
            line = line.rstrip()[:-1].rstrip() + f", node_path: {json.dumps(node_mounts[datastore])}}}"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _node_mounts(datastores: Path) -> dict[str, str]:
    """Datastore name -> its folder in the lab, for the datastores whose name only one datacenter uses."""
    folders: dict[str, list[Path]] = {}
    for folder in sorted(datastores.glob("*/*")):
        folders.setdefault(folder.name, []).append(folder)
    return {name: str(found[0]) for name, found in folders.items() if len(found) == 1}


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(run_demo())
