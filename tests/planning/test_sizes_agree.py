"""Every command that shows a VM's bytes shows the same figure, from the one size model, and says when it is an
estimate: `inventory list`, `inventory summary`, `wave list`, `plan`, the runbook and `status`."""

from __future__ import annotations

import csv
import io
import json
import re

from migrate.inventory.model import Disk
from tests.planning.test_plan_cli import _setup, make_vm
from tests.support.cli import run_cli
from tests.support.pve import GIB


def _disk(name: str, unit: int, capacity_gib: int, used_gib: int | None) -> Disk:
    return Disk(key=2000 + unit, label=f"Hard disk {unit + 1}", capacity_bytes=capacity_gib * GIB,
                committed_bytes=None if used_gib is None else used_gib * GIB, datastore="ds1",
                file_path=f"[ds1] {name}/{name}_{unit}.vmdk", controller_kind="scsi", controller_model="pvscsi",
                bus_number=0, unit_number=unit)


# name -> [(capacity GiB, used GiB or None)], and the bytes to move and whether they are an estimate.
ESTATE = {
    "app-known": ([(40, 10)], 10, False),
    "db-unknown": ([(200, None)], 200, True),  # an RVTools VM: no used size per disk
    "sql-zero": ([(60, 0)], 60, True),  # the simulator's empty files: 0 is no measurement
    "web-mixed": ([(30, 5), (50, None)], 55, True),
    "thick": ([(20, 20)], 20, False),
}


def _estate() -> list:
    return [make_vm(name, memory_mb=1024, disks=[_disk(name, unit, *d) for unit, d in enumerate(disks)])
            for name, (disks, _, _) in ESTATE.items()]


def _json(db_url, *args, env=None):
    result = run_cli(*args, "--format", "json", db_url=db_url, env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _runbook_bytes(text: str) -> dict[str, tuple[float, bool]]:
    """Per VM section of the runbook: its `Data to copy` in GiB, and whether the row says it is an estimate."""
    found = {}
    for section in text.split("\n### ")[1:]:
        name = re.match(r"[\d.]+ (\S+) →", section).group(1)
        row = re.search(r"^\| Data to copy \| ([\d.]+) GiB(.*)\|$", section, re.M)
        found[name] = (float(row.group(1)), "estimate" in row.group(2))
    return found


def test_every_command_shows_the_same_bytes_of_every_vm_and_marks_the_estimates(
        db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, _estate())
    assert run_cli("wave", "create", "1", "--pattern", "*", db_url=db_url).exit_code == 0
    expected = {name: (to_move * GIB, estimated) for name, (_, to_move, estimated) in ESTATE.items()}
    total_gib = sum(to_move for _, to_move, _ in ESTATE.values())

    listed = csv.DictReader(io.StringIO(run_cli("inventory", "list", "--format", "csv", db_url=db_url).stdout))
    assert {r["name"]: (float(r["to_move_gb"]) * GIB, r["bytes_estimated"] == "yes") for r in listed} == expected
    documents = _json(db_url, "inventory", "list")
    assert {d["name"]: (d["size"]["to_move_bytes"], d["size"]["bytes_estimated"]) for d in documents} == expected
    summary = _json(db_url, "inventory", "summary")["total"]
    assert (summary["to_move_gb"], summary["estimated_vms"]) == (total_gib, 3)
    (wave,) = _json(db_url, "wave", "list")
    assert (wave["to_move_gib"], wave["estimated_vms"]) == (total_gib, 3)

    planned = run_cli("plan", "--wave", "1", "--mappings", str(tmp_path), "--format", "json", db_url=db_url)
    assert planned.exit_code == 0, planned.stderr
    document = json.loads(planned.stdout)
    assert {vm["vm_name"]: (vm["transfer_bytes"], vm["transfer_estimated"]) for vm in document["vms"]} == expected
    assert "3 VMs estimated from provisioned size: used size unknown" in planned.stderr

    runbook = run_cli("runbook", "--wave", "1", db_url=db_url)
    assert runbook.exit_code == 0, runbook.stderr
    assert _runbook_bytes(runbook.stdout) == {name: (b / GIB, e) for name, (b, e) in expected.items()}
    assert f"| Data to copy | {total_gib:.1f} GiB (used bytes; an estimate: 3 VMs count their provisioned size" \
        in runbook.stdout

    # A dry run journals the wave's VMs (pending): `status` shows the bytes the plan expects each to move.
    assert run_cli("run", "--wave", "1", "--dry-run", db_url=db_url).exit_code == 0
    status = _json(db_url, "status", "--wave", "1")
    assert {r["vm"]: (r["bytes_planned"], r["bytes_estimated"]) for r in status} == expected
    assert all(r["bytes_moved"] == 0 and r["downtime_seconds"] is None for r in status)
