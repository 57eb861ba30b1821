"""The cutover of a synced VM on the lab (`migrate cutover`, and `migrate run` on a synced VM): the source shut down,
a final pass copies only the areas changed since the last sync into the synced volumes, the target started; the
volumes equal the source at cutover byte for byte, also after a kill in the final pass, and no snapshot of the
toolkit's is left."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from migrate.clients.vsphere import power
from migrate.db.execution_models import MigrationRun, StepRun, SyncPass, VmMigration
from migrate.db.session import session_factory
from migrate.errors import UsageError
from migrate.execution.cutover import cutover_wave
from migrate.execution.status import wave_status
from migrate.planning.store import load_plan
from tests.execution.test_sync_drill import (  # noqa: F401  (the warm fixture)
    BLOCK,
    ROOT,
    in_sync,
    sync,
    toolkit_snapshots,
    warm,
    write_blocks,
)
from tests.execution.wave_bed import options_of, services_factory, write_bed
from tests.execution.wave_fixtures import _vcenter, bed, estate  # noqa: F401  (fixtures)
from tests.lab.warm_bed import pki  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def sources_back(estate):
    """The module's estate is shared: after each test its sources run again, their NICs connected."""
    yield
    sim, vms, _ = estate
    with _vcenter(sim) as conn:
        for vm in vms:
            if power.power_state(conn, vm.moref) != "poweredOn":
                power.power_on(conn, vm.moref)
            power.set_nics_connected(conn, vm.moref, True)


def cutover(engine, bed, vm, **kwargs):
    return cutover_wave(session_factory(engine), 1, options_of(bed), services_factory(bed), only=[vm.name], **kwargs)


def final_passes(engine) -> list[tuple]:
    with session_factory(engine)() as session:
        return [(p.number, p.state, p.final) for p in session.scalars(select(SyncPass).order_by(SyncPass.number))]


def copy_details(engine, vm) -> dict[str, dict]:
    """The done copy_disk rows of the VM, by disk: what the journal says each disk's copy did."""
    with session_factory(engine)() as session:
        migration = session.scalars(select(VmMigration).where(VmMigration.vm_name == vm.name)).one()
        rows = session.scalars(select(StepRun).where(StepRun.vm_migration_id == migration.id,
                                                     StepRun.step == "copy_disk", StepRun.status == "done"))
        return {row.item: row.detail for row in rows}


def synced_status(engine, vm) -> dict:
    with session_factory(engine)() as session:
        return next(row for row in wave_status(session, 1) if row["vm"] == vm.name)


def powered(bed, vm) -> str:
    with services_factory(bed)(None, options_of(bed)).vsphere as conn:
        return power.power_state(conn, vm.moref)


@pytest.mark.vcsim
def test_a_cutover_copies_only_what_changed_since_the_last_sync_into_the_synced_volumes(warm, engine):
    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=40, count=9, disk=1)
    assert sync(engine, bed, vm).failed == {}
    changed = write_blocks(layer, vm, seed=41, count=6, disk=0) + write_blocks(layer, vm, seed=42, count=4, disk=1)
    before = synced_status(engine, vm)
    assert before["sync_pass"] == "2" and before["sync_age_seconds"] >= 0
    assert before["sync_bytes_behind"] is not None and before["cutover_downtime_seconds"] is not None
    result = cutover(engine, bed, vm)
    assert result.outcome.done == [vm.name], result.outcome.failed
    assert powered(bed, vm) == "poweredOff" and in_sync(engine, bed, vm, bases)
    assert final_passes(engine) == [(1, "done", False), (2, "done", False), (3, "done", True)]
    details = copy_details(engine, vm)
    assert {slot: (d["final_pass"], d["areas"] > 0, d["whole"]) for slot, d in details.items()} == {
        "scsi0": (3, True, False), "scsi1": (3, True, False)}
    assert sum(d["moved_bytes"] for d in details.values()) == changed == 10 * BLOCK
    assert toolkit_snapshots(bed, vm) == []
    after = synced_status(engine, vm)
    with session_factory(engine)() as session:
        planned = next(p for p in load_plan(session, 1)[1].vms if p.vm_name == vm.name)
    assert (after["sync_pass"], after["sync_bytes_behind"], after["bytes_moved"]) == ("3 final", 0, changed)
    assert after["cutover_downtime_seconds"] == planned.shutdown_seconds + planned.create_seconds + planned.boot_seconds


@pytest.mark.vcsim
def test_a_cutover_killed_in_its_final_pass_resumes_to_volumes_identical_to_the_source(warm, engine, db_url,
                                                                                      tmp_path):
    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=43, count=8, disk=0)
    write_blocks(layer, vm, seed=44, count=8, disk=1)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIGRATE_FAILPOINT": "mid:final_pass"}
    killed = subprocess.run([sys.executable, str(ROOT / "tests" / "execution" / "run_wave.py"), db_url,
                             str(write_bed(bed, tmp_path / "bed.json")), f"only={vm.name}"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]  # `migrate run` of a synced VM: the same final pass
    assert powered(bed, vm) == "poweredOff" and final_passes(engine) == [(1, "done", False), (2, "started", True)]
    result = cutover(engine, bed, vm)
    assert result.outcome.done == [vm.name], result.outcome.failed
    assert in_sync(engine, bed, vm, bases) and toolkit_snapshots(bed, vm) == []
    assert final_passes(engine) == [(1, "done", False), (2, "failed", True), (3, "done", True)]
    assert {slot: d["final_pass"] for slot, d in copy_details(engine, vm).items()} == {"scsi0": 3, "scsi1": 3}


@pytest.mark.vcsim
def test_a_cutover_refuses_a_vm_never_synced_naming_the_sync(warm, engine, estate):
    _, bed, vm, _ = warm
    other = estate[1][1]
    with pytest.raises(UsageError, match=f"{other.name} of wave 1 has no done sync pass: sync first with "
                                         f"`migrate sync --wave 1 --vm {other.name}`"):
        cutover_wave(session_factory(engine), 1, options_of(bed), services_factory(bed), only=[other.name])
    with pytest.raises(UsageError, match="wave 1 has no synced VM left to cut over"):
        cutover_wave(session_factory(engine), 1, options_of(bed), services_factory(bed))
    assert powered(bed, other) == "poweredOn"


@pytest.mark.vcsim
def test_a_cutover_at_a_time_waits_journaled_and_a_ctrl_c_while_waiting_changes_nothing(warm, engine):
    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    clock = [datetime(2026, 12, 5, 21, 0, tzinfo=timezone.utc)]
    at = clock[0] + timedelta(hours=1)
    waited: list[tuple] = []

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cutover(engine, bed, vm, at=at, sleep=interrupted, now=lambda: clock[0])
    assert powered(bed, vm) == "poweredOn"

    def passing(seconds: float) -> None:
        waited.append(seconds)
        clock[0] += timedelta(seconds=seconds)

    result = cutover(engine, bed, vm, at=at, sleep=passing, now=lambda: clock[0],
                     on_wait=lambda when, names: waited.append((when, names)))
    assert result.outcome.done == [vm.name], result.outcome.failed
    assert waited[0] == (at, [vm.name]) and sum(waited[1:]) == 3600 and max(waited[1:]) <= 30
    with session_factory(engine)() as session:
        runs = [(r.status, r.options.get("cutover_at")) for r in session.scalars(select(MigrationRun)
                                                                                  .order_by(MigrationRun.id))]
    assert runs[-3:] == [("failed", at.isoformat()), ("succeeded", at.isoformat()), ("succeeded", None)]
    assert in_sync(engine, bed, vm, bases)


@pytest.mark.vcsim
def test_a_cutover_after_a_killed_sync_pass_removes_its_snapshot_and_cuts_over(warm, engine, db_url, tmp_path):
    from tests.execution.test_sync_drill import kill_a_pass

    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=45, count=5, disk=1)
    kill_a_pass(bed, vm, db_url, tmp_path)  # leaves "migrate-toolkit sync pass 2" on the source
    result = cutover(engine, bed, vm)
    assert result.outcome.done == [vm.name], result.outcome.failed
    assert toolkit_snapshots(bed, vm) == [] and in_sync(engine, bed, vm, bases)
    assert final_passes(engine) == [(1, "done", False), (2, "failed", False), (3, "done", True)]


@pytest.mark.vcsim
def test_a_rolled_back_synced_vm_is_no_longer_synced_and_its_next_sync_copies_it_whole(warm, engine):
    from migrate.execution.rollback import rollback

    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=51, count=3)
    assert sync(engine, bed, vm).passes[0].whole == []
    assert rollback(session_factory(engine), services_factory(bed), vm_name=vm.name).failed == {}
    assert final_passes(engine) == [(1, "discarded", False), (2, "discarded", False)]
    assert synced_status(engine, vm)["sync_pass"] == ""  # its volumes are gone: nothing is synced
    with pytest.raises(UsageError, match="no done sync pass: sync first"):
        cutover(engine, bed, vm)
    write_blocks(layer, vm, seed=52, count=3)
    again, = sync(engine, bed, vm).passes  # named with --vm: synced again, from a whole copy into new volumes
    assert (again.number, again.whole) == (3, ["scsi0", "scsi1"])
    assert in_sync(engine, bed, vm, bases) and toolkit_snapshots(bed, vm) == []
    assert synced_status(engine, vm)["status"] == "pending"
