"""Cutover VM by VM: `migrate run --wave N --vm NAME` touches only the named VMs of the wave, and VMs cut over
in the wave document's order, a later group never beginning after a failure in an earlier one."""

from __future__ import annotations

import json

from sqlalchemy import select

from migrate.clients.vsphere import power
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.models import VmRecord
from migrate.db.plan_models import WaveVm
from migrate.db.session import session_factory
from migrate.execution.wave import execute_wave
from tests.execution.test_run_preflight import source_vm
from tests.execution.test_run_wave import assert_migrated, run, run_process
from tests.execution.wave_bed import options_of, services_factory, write_bed
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.cli import run_cli
from tests.support.vcsim_vms import remove_snapshots, take_snapshot


def _powered(bed, vms) -> dict[str, str]:
    vsphere = services_factory(bed)(None, options_of(bed)).vsphere
    return {vm.name: power.power_state(vsphere, vm.moref) for vm in vms}


def _steps_of(engine, name: str) -> list[str]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(StepRun.step).join(VmMigration).where(VmMigration.vm_name == name)))


def test_one_vm_cut_over_alone_killed_mid_copy_leaves_the_others_running_then_the_wave_migrates_the_rest(
        bed, engine, db_url, estate, tmp_path):
    _, vms, _ = estate
    chosen, others = vms[0], vms[1:]
    bed_file = write_bed(bed, tmp_path / "bed.json")

    killed = run_process(db_url, bed_file, "mid:copy_disk", only=(chosen.name,))

    assert killed.returncode == -9, killed.stderr[-2000:]
    assert _powered(bed, others) == {vm.name: "poweredOn" for vm in others}
    assert all(_steps_of(engine, vm.name) == [] for vm in others)  # not even a preflight
    resumed = run_process(db_url, bed_file, only=(chosen.name,))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-2000:]
    assert _powered(bed, vms) == {chosen.name: "poweredOff", **{vm.name: "poweredOn" for vm in others}}
    assert all(_steps_of(engine, vm.name) == [] for vm in others)

    rest = run(engine, bed)

    assert sorted(rest.outcome.done) == sorted(vm.name for vm in others) and rest.outcome.failed == {}
    assert_migrated(bed, engine, vms)


def test_exclude_leaves_a_vm_out_and_a_name_not_in_the_wave_is_refused(bed, engine, db_url, estate):
    _, vms, _ = estate
    sessions = session_factory(engine)
    result = execute_wave(sessions, 1, options_of(bed), services_factory(bed), exclude=[vms[2].name])
    assert sorted(result.outcome.done) == sorted(vm.name for vm in vms[:2])
    assert _powered(bed, vms[2:]) == {vms[2].name: "poweredOn"}
    refused = run_cli("run", "--wave", "1", "--vm", "nope", "--dry-run", db_url=db_url)
    assert refused.exit_code == 2
    assert refused.stderr == "migrate: error: nope not in wave 1: check the names with `migrate status --wave 1`\n"


def test_vms_cut_over_by_order_and_a_failed_group_holds_the_later_ones_back(bed, engine, db_url, estate):
    _, vms, _ = estate
    database, app, rest = vms
    with session_factory(engine)() as session:  # what `wave import` stores for an `order` column
        for vm, order in ((database, 1), (app, 2)):
            vm_id = session.scalar(select(VmRecord.id).where(VmRecord.moref == vm.moref))
            session.scalar(select(WaveVm).where(WaveVm.vm_id == vm_id)).cutover_order = order
        session.commit()
    dry = run_cli("run", "--wave", "1", "--dry-run", "--format", "json", db_url=db_url)
    assert [row["vm"] for row in json.loads(dry.stdout)] == [database.name, app.name, rest.name]
    take_snapshot(source_vm(bed, database.moref), "before patching")  # preflight refuses the first group's VM
    try:
        first = run(engine, bed)
    finally:
        remove_snapshots(source_vm(bed, database.moref))

    assert list(first.outcome.failed) == [database.name]
    assert first.held_back == sorted([app.name, rest.name])
    assert _steps_of(engine, app.name) == [] and _steps_of(engine, rest.name) == []
    assert _powered(bed, vms) == {vm.name: "poweredOn" for vm in vms}

    again = run(engine, bed)

    assert again.outcome.failed == {} and again.held_back == []
    with session_factory(engine)() as session:
        finished = {m.vm_name: m.updated_at for m in session.scalars(select(VmMigration))}
    assert finished[database.name] <= finished[app.name] <= finished[rest.name]
    assert_migrated(bed, engine, vms)
