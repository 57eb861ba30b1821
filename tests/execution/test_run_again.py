"""A VM rolled back, then migrated again: left out of later runs of its wave until named with `again`, then
migrated from a clean slate (no step of the undone attempt counts as done), as crash-safe as the first time."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.execution.rollback import rollback
from migrate.execution.status import wave_status
from migrate.execution.wave import execute_wave
from tests.execution.test_run_wave import assert_migrated, creates, run, run_process
from tests.execution.wave_bed import options_of, services_factory, write_bed
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)


def run_again(engine, bed, *names):
    return execute_wave(session_factory(engine), 1, options_of(bed), services_factory(bed), again=names)


def steps_of(engine, name: str) -> list[tuple[str, str, str]]:
    with session_factory(engine)() as session:
        return [tuple(row) for row in session.execute(
            select(StepRun.step, StepRun.item, StepRun.status).join(VmMigration)
            .where(VmMigration.vm_name == name).order_by(StepRun.id))]


def test_a_rolled_back_vm_is_left_out_until_named_again_then_migrated_from_the_first_step(bed, engine, estate,
                                                                                          served_pve):
    _, vms, _ = estate
    assert run(engine, bed).outcome.failed == {}
    chosen = vms[0].name
    assert list(rollback(session_factory(engine), services_factory(bed), vm_name=chosen).rolled_back) == [chosen]
    first_attempt = [row for row in steps_of(engine, chosen) if row[0] != "rollback"]
    assert {status for _, _, status in first_attempt} == {"undone"}

    left = run(engine, bed)
    assert left.left_out == [chosen] and left.outcome.done == [] and left.outcome.failed == {}

    again = run_again(engine, bed, chosen)
    assert again.outcome.done == [chosen] and again.outcome.failed == {} and again.left_out == []
    assert_migrated(bed, engine, vms)  # one target VM per source, every disk byte for byte
    assert creates(served_pve) == len(vms) + 1
    second_attempt = steps_of(engine, chosen)[len(first_attempt) + 1:]
    done = Counter((step, item) for step, item, status in second_attempt if status == "done")
    assert done == Counter((step, item) for step, item, _ in first_attempt)  # every step once more, none skipped
    with session_factory(engine)() as session:
        row = next(r for r in wave_status(session, 1) if r["vm"] == chosen)
    assert row["disks_copied"] == len(vms[0].disks)
    assert 0 < row["bytes_moved"] < sum(d.capacity_bytes for d in vms[0].disks)  # sparse test disks: data only
    assert run_again(engine, bed, chosen).outcome.done == []  # named again once it is done: nothing to do


def test_a_run_again_killed_after_the_create_call_adopts_the_vm_it_created(bed, engine, db_url, estate, served_pve,
                                                                         tmp_path):
    _, vms, _ = estate
    assert run(engine, bed).outcome.failed == {}
    chosen = vms[1].name
    rollback(session_factory(engine), services_factory(bed), vm_name=chosen)
    bed_file = write_bed(bed, tmp_path / "bed.json")
    killed = run_process(db_url, bed_file, "mid:create_shell", again=(chosen,))
    assert killed.returncode == -9, killed.stderr[-2000:]
    resumed = run_process(db_url, bed_file)  # readmitted before it was killed: no need to name it again
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-2000:]
    assert_migrated(bed, engine, vms)
    assert creates(served_pve) == len(vms) + 1  # the VM created by the killed run was adopted, not created again
