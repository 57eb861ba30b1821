"""`make demo` end to end: the sample estate's wave 1 is planned and migrated on the local lab, and every target
disk is compared byte for byte with its source VMDK by the test itself (qemu-img compare), not by the toolkit;
`migrate status`'s bytes moved are checked against what the target volumes hold (the test's own qemu-img map)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from sqlalchemy import select

from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import make_engine, session_factory
from lab.demo import MigratedWave, run_demo
from migrate.execution.status import wave_status
from migrate.planning.store import load_plan
from tests.support.vmdk import allocated_bytes
from tests.deliverables.test_report_html import check_report


def compare_disks(wave: MigratedWave) -> dict:
    """Every planned disk with a source file, found through the journal's volumes and the simulator's files,
    compared with its source VMDK; and what the toolkit's own --verify recorded."""
    engine = make_engine(f"sqlite:///{wave.database}")
    try:
        with session_factory(engine)() as session:
            _, plan = load_plan(session, 1)
            volumes = {m.vm_id: (m.state or {}).get("volumes", {}) for m in session.scalars(select(VmMigration))}
            verified = [d for (d,) in session.execute(select(StepRun.detail).where(StepRun.step == "verify",
                                                                                   StepRun.status == "done"))]
            status = {row["vm"]: row for row in wave_status(session, 1)}
    finally:
        engine.dispose()
    planned = [(vm, disk) for vm in plan.vms for disk in vm.disks if disk.source_file]
    results, held = [], {vm.vm_name: 0 for vm in plan.vms}
    for vm, disk in planned:
        if disk.slot not in volumes.get(vm.vm_id, {}):
            results.append((disk.source_file, None, "no volume in the journal"))
            continue
        target, fmt = wave.target.volume_file(volumes[vm.vm_id][disk.slot])
        held[vm.vm_name] += allocated_bytes(target, fmt)
        datastore, _, relative = disk.source_file.partition("] ")
        source = Path(wave.datastore_paths[datastore.lstrip("[")]) / relative
        done = subprocess.run(["qemu-img", "compare", "-f", "vmdk", str(source), "-F", fmt, str(target)],
                              capture_output=True, text=True, timeout=120)
        results.append((disk.source_file, done.returncode, (done.stdout + done.stderr).strip()))
    return {"planned": len(planned), "vms": len(plan.vms), "results": results, "status": status, "held": held,
            "journal_volumes": sum(len(v) for v in volumes.values()),
            "toolkit_compared": [c["compared"] for d in verified for c in d["disks"].values()]}


def test_demo_migrates_wave_one_and_every_disk_matches_its_source(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the demo works in its own directory; the test's is restored afterwards
    seen: list[dict] = []
    assert run_demo(tmp_path / "demo", inspect=lambda wave: seen.append(compare_disks(wave))) == 0
    out, err = capsys.readouterr()
    status = out[out.index("wave  vm "):].splitlines()
    rows = [line.split() for line in status[1:] if line.strip()]  # the empty step column collapses
    assert len(rows) == 6 and all(row[2] == "done" and row[5] == "1" for row in rows), "\n".join(status)
    assert "wave 1: 6 VMs migrated, 0 failed" in err
    (found,) = seen
    # The management report the demo writes opens offline in a real browser with every chart drawn.
    check_report(tmp_path / "demo" / "report.html", tmp_path / "demo" / "migrate.db")
    check_runbook(tmp_path / "demo")
    assert "the management report" in err and "report.html" in err
    assert found["vms"] == 6 and found["planned"] >= found["vms"]
    assert len(found["results"]) == found["planned"] == found["journal_volumes"]
    differing = [r for r in found["results"] if r[1] != 0]
    assert not differing, differing
    assert all("Images are identical" in output for _, _, output in found["results"])
    # The demo runs with --verify: the toolkit compared every disk too.
    assert found["toolkit_compared"] == [True] * found["planned"]
    # Bytes moved are what the target volumes hold (within 10 %), not the disks' virtual size; the rate is theirs.
    for name, row in found["status"].items():
        held = found["held"][name]
        assert held > 0 and abs(row["bytes_moved"] - held) <= 0.1 * held, (name, row["bytes_moved"], held)
        assert row["bytes_moved"] < row["bytes_planned"]  # the demo's disks hold 1 MiB each, the plan counts more
        assert 0 < row["mib_per_second"] < 2000, row  # a few MiB over loopback SSH, not GiB over the copy's time
        assert row["started"] and row["finished"] and row["downtime_seconds"] is None  # --no-start: not started


DEMO_GOLDEN = Path(__file__).parent / "golden" / "demo-wave-1.md"


def check_runbook(workdir: Path) -> None:
    """The demo's runbook as reviewed (its plan digest aside, which the lab's temporary paths change), and every
    command in it parses with the CLI and names a wave, VM, source or target that exists."""
    import click
    from sqlalchemy import select

    from migrate.cli.main import cli
    from migrate.db.models import Source
    from migrate.db.plan_models import Target, Wave
    from migrate.db.session import make_engine, session_factory
    from migrate.planning.store import load_plan
    from tests.runbook.test_runbook import _commands

    text = (workdir / "wave-1.md").read_text()
    reviewed = re.sub(r"digest `[0-9a-f]{12}`", "digest `<digest>`", text)
    if os.environ.get("MIGRATE_UPDATE_GOLDEN"):
        DEMO_GOLDEN.parent.mkdir(exist_ok=True)
        DEMO_GOLDEN.write_text(reviewed)
    assert reviewed == DEMO_GOLDEN.read_text()
    engine = make_engine(f"sqlite:///{workdir / 'migrate.db'}")
    try:
        with session_factory(engine)() as session:
            waves = set(session.scalars(select(Wave.number)))
            vms = {vm.vm_name for vm in load_plan(session, 1)[1].vms}
            targets = set(session.scalars(select(Target.name)))
            sources = set(session.scalars(select(Source.name)))
    finally:
        engine.dispose()
    commands = _commands(text)
    assert len(commands) >= 2 * len(vms)  # a run and a rollback per VM at least
    for words in commands:
        with cli.make_context("migrate", list(words[1:])) as context:
            name, command, rest = cli.resolve_command(context, list(words[1:]))
            if isinstance(command, click.Group):
                name, command, rest = command.resolve_command(context, rest)
            params = command.make_context(name, rest, parent=context).params
        assert params.get("number") in (None, *waves), words
        assert set(params.get("only") or ()) <= vms and params.get("vm_name") in (None, *vms), words
        assert params.get("name") in (None, *targets) and params.get("source_name") in (None, *sources), words
