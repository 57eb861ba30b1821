"""Drill 14: two `migrate run` processes on one database run the same wave at once.

The first is held inside its first VM (its volume allocation does not answer) while the second runs the whole
wave: the second must leave that VM alone and migrate the others; once released, the first finishes its VM and
leaves the ones the second migrated. Every VM is migrated exactly once. PostgreSQL keeps them apart with row
locks (SKIP LOCKED), SQLite with a lock file per VM; both are run.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from migrate.db.execution_models import MigrationRun, StepRun, VmMigration
from migrate.db.session import session_factory
from tests.execution.test_run_wave import assert_migrated, creates, run
from tests.execution.wave_bed import SECRET
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
WAIT = 300  # a bound on waiting for a process or an event, never an expectation of speed


@pytest.fixture
def worker(bed, estate, sshd, db_url):
    """Start `migrate run --wave 1 --parallel 1` in a process of its own."""
    sim = estate[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIGRATE_PVE_TOKEN_SECRET": SECRET,
           "MIGRATE_VCENTER_PASSWORD": sim.password}
    env.pop("MIGRATE_FAILPOINT", None)
    argv = [sys.executable, "-m", "migrate", "--db", db_url, "run", "--wave", "1", "--parallel", "1", "--no-start",
            "--datastore-path", f"{bed['datastore']}={bed['datastore_dir']}",
            "--vcenter", f"{sim.host}:{sim.port}", "--user", sim.username, "--ca-file", str(sim.ca_file),
            "--node-address", f"pve1={sshd.host}:{sshd.port}"]
    started = []

    def start() -> subprocess.Popen:
        started.append(subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True))
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_two_workers_on_one_database_migrate_every_vm_exactly_once(bed, engine, estate, served_pve, worker):
    _, vms, _ = estate
    held, release = threading.Event(), threading.Event()

    async def hold_the_first_allocation(values):
        if not held.is_set():
            held.set()
            while not release.is_set():
                await asyncio.sleep(0.05)

    served_pve.before_allocate = hold_the_first_allocation
    first = worker()
    assert held.wait(WAIT), _output(first)
    with session_factory(engine)() as session:
        holding = session.scalars(select(VmMigration.vm_name).where(VmMigration.status == "running")).one()
    second = worker()
    out2, err2 = second.communicate(timeout=WAIT)
    release.set()
    out1, err1 = first.communicate(timeout=WAIT)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    others = sorted(vm.name for vm in vms if vm.name != holding)
    assert out1 == out2 == ""
    assert f"{holding}: skipped, another run is working on it" in err2
    assert f"wave 1: {len(others)} VMs migrated, 0 failed, 1 left to another run" in err2
    assert all(f"{name}: skipped, another run migrated it" in err1 for name in others)
    assert f"wave 1: 1 VM migrated, 0 failed, {len(others)} left to another run" in err1

    assert_migrated(bed, engine, vms)
    assert creates(served_pve) == len(vms)  # one target VM per source
    with session_factory(engine)() as session:
        runs = session.scalars(select(MigrationRun).order_by(MigrationRun.id)).all()
        rows = session.execute(select(VmMigration.vm_name, StepRun.step, StepRun.item, StepRun.status, StepRun.run_id)
                               .join(VmMigration, VmMigration.id == StepRun.vm_migration_id)).all()
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    copies = [(name, item) for name, step, item, status, _ in rows if step == "copy_disk"]
    assert sorted(copies) == sorted((vm.name, f"scsi{u}") for vm in vms for u in range(len(vm.disks)))
    assert {status for *_, status, _ in rows} == {"done"}
    # Each VM's steps were all run by one worker: the held VM by the first, the others by the second.
    by_vm = {}
    for name, *_, run_id in rows:
        by_vm.setdefault(name, set()).add(run_id)
    assert by_vm == {vm.name: {runs[0].id if vm.name == holding else runs[1].id} for vm in vms}


def _output(process: subprocess.Popen) -> str:
    if process.poll() is None:
        return "the worker is still running"
    out, err = process.communicate()
    return out + err


def test_a_run_whose_vms_another_run_creates_while_it_reads_the_target_is_not_refused_as_stale(
        bed, engine, estate, served_pve, monkeypatch):
    """The other run migrates the whole wave after this one listed its work and before it read the target:
    the VMIDs, names and MACs it finds taken are the other run's VMs, not a stranger's, so the plan is not stale."""
    from migrate.execution import wave

    _, vms, _ = estate
    real_read_target, inner = wave.read_target, []

    def the_other_run_goes_first(pve, name):
        if not inner:
            inner.append(None)  # the other run reads the target too, straight away
            inner[0] = run(engine, bed, parallel=1, start=False)
        return real_read_target(pve, name)

    monkeypatch.setattr(wave, "read_target", the_other_run_goes_first)
    outcome = run(engine, bed, parallel=1, start=False).outcome
    assert sorted(inner[0].outcome.done) == sorted(vm.name for vm in vms)
    assert (outcome.done, outcome.failed) == ([], {})
    assert sorted(outcome.done_by_another) == sorted(vm.name for vm in vms)
    assert creates(served_pve) == len(vms)
