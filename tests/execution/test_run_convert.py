"""The convert step's failures are safe, on both databases: a conversion that fails (virt-v2v finds no system on
the test estate's random disks) or runs past its time limit puts the volumes back byte for byte, leaves the VM
unstarted with the log named, and the run after `--no-convert` (or `convert: false`) completes; a rollback
removes the conversion's files from the node. The real guest's conversion is test_run_convert_guest.py's.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.execution.status import wave_status
from migrate.execution.wave import execute_wave
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import estate, plan_wave  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow
CONVERT = dict(parallel=1, convert=True, convert_tcg=True)


@pytest.fixture
def one_vm(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path):
    """Wave 1 holding the estate's VM with one disk (monolithicFlat): (bed, its VM)."""
    vm = estate[1][1]
    bed = plan_wave(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path, pattern=vm.name)
    return bed, vm


def _run(engine, bed, **options):
    return execute_wave(session_factory(engine), 1, options_of(bed, **options), services_factory(bed))


def _migration(engine) -> VmMigration:
    with session_factory(engine)() as session:
        return session.scalars(select(VmMigration)).one()


def _assert_volume_as_copied(bed, migration, vm) -> str:
    pve = services_factory(bed)(None, options_of(bed)).pve
    path = pvevm.volume_path(pve, migration.state["target"]["node"], migration.state["volumes"]["scsi0"])
    source = Path(bed["datastore_dir"]) / vm.disks[0].file_path.partition("] ")[2]
    compared = subprocess.run(["qemu-img", "compare", "-f", "vmdk", str(source), "-F", "raw", path],
                              capture_output=True, text=True, timeout=120)
    assert compared.returncode == 0, compared.stdout + compared.stderr
    return path


def test_a_failed_conversion_puts_the_volume_back_leaves_the_vm_unstarted_and_names_the_log(one_vm, engine,
                                                                                            session):
    bed, vm = one_vm

    result = _run(engine, bed, **CONVERT)

    assert result.outcome.failed and not result.outcome.done
    migration = _migration(engine)
    vmid = migration.state["target"]["vmid"]
    log = f"/var/tmp/migrate-convert-{vmid}/virt-v2v.log"
    assert (migration.status, migration.current_step) == ("failed", "convert"), migration.error
    assert log in migration.error and "put back" in migration.error and "--no-convert" in migration.error
    assert os.path.getsize(log) > 0
    row = next(r for r in wave_status(session, 1) if r["vm"] == vm.name)
    assert log in row["error"]
    path = _assert_volume_as_copied(bed, migration, vm)
    assert not os.path.exists(path + ".migrate-preconvert"), "the copy is removed once the volume is back"
    pve = services_factory(bed)(None, options_of(bed)).pve
    assert pvevm.status(pve, "pve1", vmid) == "stopped"

    again = _run(engine, bed, parallel=1, convert=False)  # `migrate run --no-convert`

    assert again.outcome.done == [vm.name], again.outcome.failed
    with session_factory(engine)() as check:
        steps = [r.step for r in check.scalars(select(StepRun).where(StepRun.status == "done"))]
    assert "convert" not in steps and "start_target" in steps


def test_a_conversion_past_its_time_limit_is_stopped_by_the_node_and_the_volume_put_back(one_vm, engine):
    bed, vm = one_vm

    result = _run(engine, bed, **CONVERT, convert_timeout=1)

    assert result.outcome.failed
    migration = _migration(engine)
    assert "did not finish within 1 s" in migration.error, migration.error
    _assert_volume_as_copied(bed, migration, vm)


def test_a_rollback_removes_the_conversions_files_from_the_node(one_vm, engine):
    bed, vm = one_vm
    _run(engine, bed, **CONVERT, convert_timeout=1)
    migration = _migration(engine)
    workdir = migration.state["conversion"]["workdir"]
    assert os.path.isdir(workdir)

    from migrate.execution.rollback import rollback

    rollback(session_factory(engine), services_factory(bed), wave=1)

    assert not os.path.exists(workdir)
    assert "removed the conversion's files on node pve1" in _migration(engine).state["rolled_back"]
