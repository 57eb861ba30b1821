"""The convert step's failures are safe, on both databases: a conversion that fails (virt-v2v finds no system on
the test estate's random disks) or runs past its time limit puts the volumes back byte for byte, leaves the VM
unstarted with the log named, and the run after `--no-convert` (or `convert: false`) completes; a rollback
removes the conversion's files from the node. The real guest's conversion is test_run_convert_guest.py's.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.execution.status import wave_status
from migrate.execution.wave import execute_wave
from migrate.inventory.model import IpAddress
from tests.execution.wave_bed import options_of, services_factory, write_bed
from tests.execution.wave_fixtures import estate, plan_wave  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CONVERT = dict(parallel=1, convert=True, convert_tcg=True)


@pytest.fixture(autouse=True)
def no_work_directory():
    """Each test's VM gets VMID 3000 on its own fakepve, but the loopback node's /var/tmp outlives them."""
    subprocess.run(["rm", "-rf", "/var/tmp/migrate-convert-3000"], check=True)
    yield
    subprocess.run(["rm", "-rf", "/var/tmp/migrate-convert-3000"], check=True)


@pytest.fixture
def one_vm(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path):
    """Wave 1 holding the estate's VM with one disk (monolithicFlat): (bed, its VM)."""
    vm = estate[1][1]
    bed = plan_wave(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path, pattern=vm.name,
                    convert=True)
    return bed, vm


def _run(engine, bed, **options):
    return execute_wave(session_factory(engine), 1, options_of(bed, **options), services_factory(bed))


def _migration(engine) -> VmMigration:
    with session_factory(engine)() as session:
        return session.scalars(select(VmMigration)).one()


def _assert_volume_as_copied(bed, migration, vm, slot: str = "scsi0") -> str:
    pve = services_factory(bed)(None, options_of(bed)).pve
    path = pvevm.volume_path(pve, migration.state["target"]["node"], migration.state["volumes"][slot])
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
        done = {r.step: r.detail for r in check.scalars(select(StepRun).where(StepRun.status == "done"))}
    assert done["convert"] == {"converted": False, "put_back": False,
                               "reason": "conversion off for this run (--no-convert)"}
    assert "start_target" in done


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


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.2)


def _lock_free(workdir: str) -> bool:
    return subprocess.run(["flock", "-n", f"{workdir}/lock", "true"]).returncode == 0


def _kill_mid_conversion(bed, engine, db_url, tmp_path) -> str:
    """Run the wave in a process killed (SIGKILL) while virt-v2v converts on the node, wait for the node's tool
    to end, and write into the volume as a conversion cut short would: the volume's path."""
    bed_file = write_bed({**bed, "run_options": {"convert": True, "convert_tcg": True}}, tmp_path / "bed.json")
    runner = subprocess.Popen([sys.executable, str(ROOT / "tests" / "execution" / "run_wave.py"), db_url,
                               str(bed_file)], env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workdir = "/var/tmp/migrate-convert-3000"
    try:
        _wait_for(lambda: os.path.exists(f"{workdir}/converting") and not _lock_free(workdir), 120,
                  "the conversion starts on the node")
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()
    # The node's tool goes on after the run died; once it ends, the volume is as a conversion cut short left it.
    _wait_for(lambda: _lock_free(workdir), 300, "the killed run's conversion ends on the node")
    migration = _migration(engine)
    assert (migration.status, migration.current_step) == ("running", "convert")
    assert migration.state.get("conversion") is None, "a killed step journals nothing"
    pve = services_factory(bed)(None, options_of(bed)).pve
    path = pvevm.volume_path(pve, "pve1", migration.state["volumes"]["scsi0"])
    subprocess.run(["qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 1M", path], check=True, capture_output=True)
    assert os.path.exists(path + ".migrate-preconvert")
    return path


def test_a_run_killed_mid_conversion_has_its_half_converted_volume_put_back_even_with_no_convert(one_vm, engine,
                                                                                              db_url, tmp_path):
    bed, vm = one_vm
    path = _kill_mid_conversion(bed, engine, db_url, tmp_path)

    resumed = _run(engine, bed, parallel=1, convert=False)  # `--no-convert` this time

    assert resumed.outcome.done == [vm.name], resumed.outcome.failed
    _assert_volume_as_copied(bed, _migration(engine), vm)
    assert not os.path.exists(path + ".migrate-preconvert")


def test_a_run_killed_mid_conversion_and_rolled_back_leaves_no_work_directory_or_copy_on_the_node(
        one_vm, engine, db_url, tmp_path):
    from migrate.execution.rollback import rollback

    bed, vm = one_vm
    path = _kill_mid_conversion(bed, engine, db_url, tmp_path)

    rollback(session_factory(engine), services_factory(bed), wave=1)

    assert not os.path.exists("/var/tmp/migrate-convert-3000") and not os.path.exists(path + ".migrate-preconvert")
    assert "removed the conversion's files on node pve1" in _migration(engine).state["rolled_back"]


def test_a_node_without_the_conversions_tools_is_refused_before_the_source_stops(one_vm, engine, monkeypatch):
    from migrate.execution import conversion

    bed, vm = one_vm
    monkeypatch.setattr(conversion, "TOOLS", (*conversion.TOOLS, "virt-v2v-not-installed"))

    result = _run(engine, bed, **CONVERT)

    migration = _migration(engine)
    assert result.outcome.failed and (migration.status, migration.current_step) == ("failed", "preflight")
    assert "virt-v2v-not-installed missing" in migration.error and "--no-convert" in migration.error
    assert "target" not in migration.state, "nothing created, the source never stopped"


@pytest.fixture
def windows_vm(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path):
    """The estate's one-disk VM, inventoried as a Windows Server with a static address, planned onto a target
    that names a virtio-win ISO (an empty file on the loopback node): (bed, its VM, the ISO)."""
    sim, vms, store = estate
    nic = dataclasses.replace(vms[1].nics[0], ip_addresses=[IpAddress("10.0.20.15", 24, "manual")])
    vm = dataclasses.replace(vms[1], guest_id="windows2019srv_64Guest", nics=[nic],
                             guest_full_name="Microsoft Windows Server 2019 (64-bit)")
    iso = tmp_path / "virtio-win.iso"
    iso.write_bytes(b"")
    bed = plan_wave((sim, [vms[0], vm, vms[2]], store), served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch,
                    tmp_path, pattern=vm.name, convert=True, virtio_win=str(iso))
    return bed, vm, str(iso)


def test_windows_planned_on_virtio_with_the_targets_iso_is_converted_with_its_static_ip_or_started_on_its_safe_config(
        windows_vm, engine):
    bed, vm, iso = windows_vm
    failed = _run(engine, bed, **CONVERT)  # the ISO the target names; the test disk holds no Windows: it fails, safely

    migration = _migration(engine)
    assert failed.outcome.failed and migration.current_step == "convert"
    log = Path(migration.state["conversion"]["log"]).read_text()
    mac = vm.nics[0].mac.lower()
    assert (f" 1800 env VIRTIO_WIN={iso} LIBGUESTFS_BACKEND_SETTINGS=force_tcg virt-v2v-in-place -v -x -i libvirtxml "
            f"--mac {mac}:ip:10.0.20.15 /var/tmp/migrate-convert-3000/guest.xml\n") in log
    assert "cannot parse" not in log, "virt-v2v takes the options; it fails on the disk, which holds no Windows"
    assert "virt-customize" not in log, "Windows keeps its addresses through virt-v2v, not a .link file"
    _assert_volume_as_copied(bed, migration, vm, slot="scsi0")  # planned on VirtIO: the conversion brings the drivers
    pve = services_factory(bed)(None, options_of(bed)).pve
    node, vmid = migration.state["target"]["node"], migration.state["target"]["vmid"]
    assert not any(k.startswith(("scsi0", "sata0")) for k in pvevm.vm_config(pve, node, vmid)), "nothing attached yet"

    kept = _run(engine, bed, parallel=1, convert=False)  # not converted: started on its safe SATA/e1000e config

    assert kept.outcome.done == [vm.name], kept.outcome.failed
    with session_factory(engine)() as check:
        row = check.scalars(select(StepRun).where(StepRun.step == "convert", StepRun.status == "done")).one()
        attached = check.scalars(select(StepRun).where(StepRun.step == "attach", StepRun.status == "done")).one()
    assert row.detail["converted"] is False and "--no-convert" in row.detail["reason"]
    assert attached.detail["config"] == "unconverted"
    config = pvevm.vm_config(pve, node, vmid)
    assert config["boot"] == "order=sata0" and config["sata0"].startswith(migration.state["volumes"]["scsi0"])
    assert "scsi0" not in config and config["net0"].startswith(f"e1000e={vm.nics[0].mac.upper()}")
    assert config["ide2"].startswith("none") and "media=cdrom" in config["ide2"]
