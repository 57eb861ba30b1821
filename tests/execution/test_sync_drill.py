"""The warm copy drill (`migrate sync`) on the lab: a running VM with two dense random disks behind the warm vCenter
(changed block tracking, a delta per snapshot), synced, written to by its guest, synced again: the target volume
holds the source's current bytes, a later pass reads only what changed, and no snapshot of the toolkit's is left,
also after a pass killed half-way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyVmomi import vim
from sqlalchemy import select

from lab.warm.vcenter import WarmVcenter
from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere import changed_blocks as cbt
from migrate.db.execution_models import MigrationRun, SyncPass, VmMigration
from migrate.db.session import session_factory
from migrate.errors import ExitCode
from migrate.execution.sync import sync_wave
from tests.execution.wave_bed import SECRET, options_of, services_factory, write_bed
from tests.execution.test_run_wave import _dump
from tests.execution.wave_fixtures import _vcenter, bed, estate  # noqa: F401  (fixtures)
from tests.lab.warm_bed import pki  # noqa: F401  (fixture)
from tests.support.cli import run_cli
from tests.support.vmdk import make_vmdk

SUBFORMATS = ("monolithicSparse", "monolithicFlat")  # the VM's disks, dense random

ROOT = Path(__file__).resolve().parents[2]
BLOCK = 64 * 1024  # the lab's tracked block


@pytest.fixture
def warm(bed, estate, pki, tmp_path):
    """The estate's first VM with dense random bytes on both its disks (monolithicSparse and monolithicFlat),
    change tracking off, behind the warm vCenter; (layer, the bed through it, the VM, its disks' base VMDKs)."""
    sim, vms, store = estate
    vm = vms[0]
    bases = []
    for unit, (disk, subformat) in enumerate(zip(vm.disks, SUBFORMATS)):
        raw = tmp_path / f"dense-{unit}.raw"
        raw.write_bytes(os.urandom(disk.capacity_bytes))
        for old in (store / vm.name).glob(f"{vm.name}_{unit}*"):
            old.unlink()
        bases.append(make_vmdk(raw, store / vm.name / f"{vm.name}_{unit}.vmdk", subformat))
    with _vcenter(sim) as conn:  # straight to vcsim: a previous test may have left tracking on
        task = cbt.find_vm(conn, vm.moref).ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=False))
        cbt._wait(task, "turning change tracking off")
    (tmp_path / "deltas").mkdir()
    with WarmVcenter(sim, {"LocalDS_0": store}, *pki, tmp_path / "deltas") as layer:
        yield layer, {**bed, "vc_port": layer.port, "vc_ca": pki[0]}, vm, bases


def sync(engine, bed, vm, **options):
    return sync_wave(session_factory(engine), 1, options_of(bed), services_factory(bed), only=[vm.name], **options)


def target_volumes(engine, bed, vm) -> list[str]:
    """The paths of the VM's target volumes, in the order of its disks."""
    with session_factory(engine)() as session:
        state = session.scalar(select(VmMigration.state).where(VmMigration.vm_name == vm.name))
    pve = services_factory(bed)(None, options_of(bed)).pve
    return [pvevm.volume_path(pve, state["target"]["node"], state["volumes"][f"scsi{unit}"])
            for unit in range(len(vm.disks))]


def in_sync(engine, bed, vm, bases: list[Path]) -> bool:
    """Whether every target volume holds its source disk's current bytes (the test's own qemu-img compare)."""
    return all(subprocess.run(["qemu-img", "compare", "-f", "vmdk", str(base), "-F", "raw", volume],
                              capture_output=True, timeout=120).returncode == 0
               for base, volume in zip(bases, target_volumes(engine, bed, vm), strict=True))


def toolkit_snapshots(bed, vm) -> list:
    with services_factory(bed)(None, options_of(bed)).vsphere as conn:
        return cbt.toolkit_snapshots(conn, vm.moref)


def write_blocks(layer, vm, seed: int, count: int, disk: int = 0) -> int:
    """The guest writes `count` random tracked blocks at distinct places of its disk `disk`; the bytes changed."""
    capacity = vm.disks[disk].capacity_bytes
    offsets = sorted({(seed * 7919 + n * 104729) % (capacity // BLOCK) * BLOCK for n in range(count)})
    key = sorted(layer.vm(vm.moref).disks)[disk]
    layer.write_many_to_running_disk(vm.moref, key, [(offset, os.urandom(BLOCK)) for offset in offsets])
    return len(offsets) * BLOCK


def passes(engine) -> list[tuple]:
    with session_factory(engine)() as session:
        return [(p.number, p.state, p.extents, p.bytes_read) for p in
                session.scalars(select(SyncPass).order_by(SyncPass.number))]


@pytest.mark.vcsim
@pytest.mark.parametrize("transport", ["node", "https"])
def test_a_synced_volume_follows_the_running_source_byte_for_byte_reading_only_what_changed(warm, engine, transport,
                                                                                           sshd, pki, monkeypatch):
    from migrate.clients.vsphere import power

    layer, bed, vm, bases = warm
    cookies, real_cookie = [], power.session_cookie
    if transport == "https":
        if sshd.ca_bundle is None:
            pytest.skip("the node can trust the layer's certificate only as root (private mount namespace)")
        sshd.trust(Path(pki[0]))
        bed = {**bed, "node_path": False}
        monkeypatch.setattr(power, "session_cookie", lambda conn: cookies.append(real_cookie(conn)) or cookies[-1])
    refused = sync(engine, bed, vm)
    assert "--enable-cbt" in refused.failed[vm.name] and refused.passes == []
    first = sync(engine, bed, vm, enable_cbt=True)
    assert first.failed == {} and [(p.number, p.whole, p.tracking_enabled) for p in first.passes] == [
        (1, ["scsi0", "scsi1"], True)]
    assert in_sync(engine, bed, vm, bases)
    changed = write_blocks(layer, vm, seed=1, count=24, disk=1)
    if transport == "node":
        # Over HTTPS a monolithicSparse VMDK costs up to 1 MiB per area besides (qemu's vmdk driver reads its
        # embedded descriptor at each open: docs/execution.md); ESXi's datastores hold flat extents, read exactly.
        changed += write_blocks(layer, vm, seed=11, count=7, disk=0)
    assert not in_sync(engine, bed, vm, bases)
    served = layer.served_bytes
    second, = sync(engine, bed, vm).passes
    assert second.whole == [] and second.extents > 0
    assert abs(second.bytes_read - changed) <= changed / 10, (second.bytes_read, changed)
    if transport == "https":  # what the node really read from the datastore file API: the changed areas alone
        assert abs(layer.served_bytes - served - changed) <= changed / 100, (layer.served_bytes - served, changed)
    else:
        assert layer.served_bytes == served == 0
    assert in_sync(engine, bed, vm, bases)
    changed = write_blocks(layer, vm, seed=2, count=5, disk=1)
    third, = sync(engine, bed, vm).passes
    assert third.bytes_read == changed and in_sync(engine, bed, vm, bases)
    assert toolkit_snapshots(bed, vm) == []
    assert [(n, state) for n, state, *_ in passes(engine)] == [(1, "done"), (2, "done"), (3, "done")]
    journaled = _dump(engine)  # no session cookie, token secret or vCenter password in the journal
    assert (len(cookies) >= 3) == (transport == "https")
    assert all(c.split("=", 1)[1].strip('"') not in journaled for c in cookies)
    assert SECRET not in journaled and bed["vc_password"] not in journaled


def kill_a_pass(bed, vm, db_url, tmp_path) -> None:
    """Pass 2 in a process of its own, killed after its disk was copied, before its snapshot was removed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIGRATE_FAILPOINT": "mid:sync_pass"}
    killed = subprocess.run([sys.executable, str(ROOT / "tests" / "execution" / "run_sync.py"), db_url,
                             str(write_bed(bed, tmp_path / "bed.json")), vm.name], env=env, capture_output=True,
                            text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert len(toolkit_snapshots(bed, vm)) == 1  # the killed pass's, left on the VM


@pytest.mark.vcsim
def test_a_pass_killed_half_way_leaves_a_snapshot_the_next_pass_removes_and_still_ends_identical(warm, engine,
                                                                                                db_url, tmp_path):
    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=3, count=12)
    kill_a_pass(bed, vm, db_url, tmp_path)
    write_blocks(layer, vm, seed=4, count=6)  # the guest goes on writing
    resumed, = sync(engine, bed, vm).passes
    assert resumed.orphans_removed == ["migrate-toolkit sync pass 2"] and resumed.whole == []
    assert in_sync(engine, bed, vm, bases)
    assert toolkit_snapshots(bed, vm) == []
    assert [(n, state) for n, state, *_ in passes(engine)] == [(1, "done"), (2, "failed"), (3, "done")]


@pytest.mark.vcsim
def test_sync_from_the_command_line_refuses_cbt_off_naming_the_flag_then_syncs_with_it(warm, estate, sshd, db_url,
                                                                                      engine):
    layer, bed, vm, _ = warm
    sim = estate[0]
    env = {"MIGRATE_PVE_TOKEN_SECRET": SECRET, "MIGRATE_VCENTER_PASSWORD": sim.password}

    def cli(*args):
        return run_cli("sync", "--wave", "1", "--vcenter", f"{layer.host}:{layer.port}", "--user", sim.username,
                       "--ca-file", bed["vc_ca"], "--node-address", f"pve1={sshd.host}:{sshd.port}",
                       "--datastore-path", f"{bed['datastore']}={bed['datastore_dir']}", *args, db_url=db_url,
                       env=env)

    unknown = cli("--vm", "no-such-vm")
    assert unknown.exit_code == ExitCode.USAGE and unknown.stderr.count("\n") == 1 and "no-such-vm" in unknown.stderr
    refused = cli("--vm", vm.name, "--format", "json")
    assert refused.exit_code == ExitCode.STEP_FAILED and json.loads(refused.stdout) == []
    assert f"failed: {vm.name}: source VM {vm.name} has changed block tracking off" in refused.stderr
    assert "--enable-cbt" in refused.stderr and "Traceback" not in refused.stderr
    synced = cli("--vm", vm.name, "--enable-cbt", "--format", "json")
    assert synced.exit_code == 0, synced.stderr
    row, = json.loads(synced.stdout)
    assert (row["vm"], row["pass"], row["copied_whole"], row["cbt_enabled"]) == (vm.name, 1, "scsi0,scsi1", "yes")
    assert "1 VM synced, 0 failed" in synced.stderr and SECRET not in synced.stdout + synced.stderr
    with session_factory(engine)() as session:
        runs = session.scalars(select(MigrationRun).order_by(MigrationRun.id)).all()
    assert [(r.status, r.options["sync"], r.options["enable_cbt"], r.options["only"]) for r in runs] == [
        ("failed", True, False, [vm.name]), ("succeeded", True, True, [vm.name])]


@pytest.mark.vcsim
def test_a_reset_change_tracking_copies_the_disk_whole_again(warm, engine):
    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=5, count=8)
    with services_factory(bed)(None, options_of(bed)).vsphere as conn:  # an administrator turns it off and on
        cbt._wait(cbt.find_vm(conn, vm.moref).ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=False)),
                  "turning change tracking off")
        cbt.enable_change_tracking(conn, vm.moref)
    again, = sync(engine, bed, vm).passes
    assert again.whole == ["scsi0", "scsi1"] and in_sync(engine, bed, vm, bases)
    write_blocks(layer, vm, seed=6, count=3)
    after, = sync(engine, bed, vm).passes
    assert (after.whole, after.bytes_read) == ([], 3 * BLOCK) and in_sync(engine, bed, vm, bases)


@pytest.mark.vcsim
def test_a_pass_that_fails_removes_its_snapshot_and_the_next_catches_up(warm, engine, monkeypatch):
    from migrate.errors import DiskCopyError
    from migrate.execution.steps import delta as warm_sync

    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=7, count=10)

    def broken(*args, **kwargs):
        raise DiskCopyError("the node's disk is full")

    monkeypatch.setattr(warm_sync, "copy_extents", broken)
    failed = sync(engine, bed, vm)
    assert failed.failed == {vm.name: "the node's disk is full"} and toolkit_snapshots(bed, vm) == []
    monkeypatch.undo()
    write_blocks(layer, vm, seed=8, count=4)
    caught_up, = sync(engine, bed, vm).passes
    assert caught_up.whole == [] and caught_up.number == 3 and in_sync(engine, bed, vm, bases)
    assert [(n, state) for n, state, *_ in passes(engine)] == [(1, "done"), (2, "failed"), (3, "done")]


@pytest.mark.vcsim
def test_someone_elses_snapshot_is_refused_and_left_alone(warm, engine):
    layer, bed, vm, _ = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    with services_factory(bed)(None, options_of(bed)).vsphere as conn:
        cbt._wait(cbt.find_vm(conn, vm.moref).CreateSnapshot_Task(name="before the upgrade", description="",
                                                                  memory=False, quiesce=False), "snapshot")
        refused = sync(engine, bed, vm)
        assert "snapshot" in refused.failed[vm.name] and refused.passes == []
        names = [s.name for s in cbt.find_vm(conn, vm.moref).snapshot.rootSnapshotList]
    assert names == ["before the upgrade"] and toolkit_snapshots(bed, vm) == []


@pytest.mark.vcsim
def test_a_rollback_after_a_killed_pass_removes_the_target_and_the_orphan_snapshot_and_leaves_the_source_running(
        warm, engine, db_url, tmp_path):
    from migrate.clients.vsphere import power
    from migrate.execution.rollback import rollback

    layer, bed, vm, _ = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    with session_factory(engine)() as session:
        volid = session.scalar(select(VmMigration.state).where(VmMigration.vm_name == vm.name))["volumes"]["scsi0"]
    write_blocks(layer, vm, seed=9, count=4)
    kill_a_pass(bed, vm, db_url, tmp_path)
    outcome = rollback(session_factory(engine), services_factory(bed), vm_name=vm.name)
    assert outcome.failed == {}
    assert "removed snapshot 'migrate-toolkit sync pass 2' of the source" in outcome.rolled_back[vm.name]
    assert any(line.startswith("destroyed target VM") for line in outcome.rolled_back[vm.name])
    pve = services_factory(bed)(None, options_of(bed)).pve
    assert toolkit_snapshots(bed, vm) == [] and not pvevm.volume_exists(pve, "pve1", volid)
    with services_factory(bed)(None, options_of(bed)).vsphere as conn:
        assert power.power_state(conn, vm.moref) == "poweredOn"


@pytest.mark.vcsim
def test_a_vm_whose_run_began_is_not_synced(warm, engine):
    layer, bed, vm, _ = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    with session_factory(engine)() as session:
        session.scalars(select(VmMigration).where(VmMigration.vm_name == vm.name)).one().status = "failed"
        session.commit()
    result = sync(engine, bed, vm)
    assert result.passes == [] and result.failed == {}
    assert "a `migrate run` began for it" in result.skipped[vm.name]
    assert [n for n, *_ in passes(engine)] == [1]


@pytest.mark.vcsim
def test_writes_made_while_a_pass_copies_are_caught_by_the_next_pass(warm, engine, monkeypatch):
    from migrate.execution.steps import delta as warm_sync

    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=12, count=6, disk=1)
    during, real_copy = [], warm_sync.copy_extents

    def copy_while_the_guest_writes(*args, **kwargs):
        during.append(write_blocks(layer, vm, seed=13 + len(during), count=3, disk=1))  # into the pass's delta
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(warm_sync, "copy_extents", copy_while_the_guest_writes)
    assert sync(engine, bed, vm).failed == {} and during
    assert not in_sync(engine, bed, vm, bases)  # the pass copied its snapshot's disk, not the later writes
    monkeypatch.undo()
    caught_up, = sync(engine, bed, vm).passes
    assert caught_up.bytes_read == sum(during) and in_sync(engine, bed, vm, bases)
    assert toolkit_snapshots(bed, vm) == []


@pytest.mark.vcsim
def test_a_first_pass_killed_mid_copy_is_done_again_whole_and_leaves_no_snapshot(warm, engine, db_url, tmp_path):
    layer, bed, vm, bases = warm
    with services_factory(bed)(None, options_of(bed)).vsphere as conn:
        cbt.enable_change_tracking(conn, vm.moref)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIGRATE_FAILPOINT": "mid:copy_disk"}
    killed = subprocess.run([sys.executable, str(ROOT / "tests" / "execution" / "run_sync.py"), db_url,
                             str(write_bed(bed, tmp_path / "bed.json")), vm.name], env=env, capture_output=True,
                            text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert len(toolkit_snapshots(bed, vm)) == 1
    write_blocks(layer, vm, seed=20, count=4)
    again, = sync(engine, bed, vm).passes
    assert (again.number, again.whole, again.orphans_removed) == (2, ["scsi0", "scsi1"],
                                                                  ["migrate-toolkit sync pass 1"])
    assert in_sync(engine, bed, vm, bases) and toolkit_snapshots(bed, vm) == []


@pytest.mark.vcsim
def test_migrate_run_of_a_synced_vm_adopts_its_target_and_migrates_it_byte_for_byte(warm, engine):
    from migrate.execution.wave import execute_wave

    layer, bed, vm, bases = warm
    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    with session_factory(engine)() as session:
        synced = session.scalar(select(VmMigration.state).where(VmMigration.vm_name == vm.name))["target"]["vmid"]
    write_blocks(layer, vm, seed=30, count=5)
    result = execute_wave(session_factory(engine), 1, options_of(bed, start=False), services_factory(bed),
                          only=[vm.name])
    assert result.outcome.done == [vm.name], result.outcome.failed
    assert in_sync(engine, bed, vm, bases) and toolkit_snapshots(bed, vm) == []
    pve = services_factory(bed)(None, options_of(bed)).pve
    assert [r["vmid"] for r in pve.get("/cluster/resources", type="vm")] == [synced]  # adopted, not made again


@pytest.mark.vcsim
def test_a_sync_under_a_bandwidth_limit_reads_no_faster_and_journals_the_limit(warm, engine):
    layer, bed, vm, bases = warm
    limit = 8 * 2**20

    def limited(**options):
        return sync_wave(session_factory(engine), 1, options_of(bed, bwlimit_mib_s=8), services_factory(bed),
                         only=[vm.name], **options)

    first, = limited(enable_cbt=True).passes
    write_blocks(layer, vm, seed=50, count=16, disk=1)
    second, = limited().passes
    assert second.whole == [] and second.bytes_read == 16 * BLOCK and in_sync(engine, bed, vm, bases)
    with session_factory(engine)() as session:
        rows = session.scalars(select(SyncPass).order_by(SyncPass.number)).all()
        runs = session.scalars(select(MigrationRun).order_by(MigrationRun.id)).all()
        assert [r.options["copy_rates"] for r in runs] == [{"pve1": limit}] * 2
        assert {d["rate_limit_bytes_per_second"] for row in rows for d in row.disks.values() if d["extents"]} == {
            limit}
        whole_seconds = sum(d["seconds"] for d in rows[0].disks.values())
    # qemu-img's -r lets its first buffers through at once: on disks of 8 and 10 MiB that is a quarter of the time
    # (a 1 GiB copy holds the rate within 1 %: docs/benchmarks.md); unlimited, the loopback copies them in 0.1 s.
    assert whole_seconds >= first.bytes_read / limit * 0.75, (whole_seconds, first.bytes_read)


@pytest.mark.vcsim
def test_a_pass_that_runs_past_its_window_pauses_between_areas_until_it_opens_again(warm, engine):
    from datetime import datetime, timedelta, timezone

    from migrate.execution.sync_window import Gate, parse_window

    layer, bed, vm, bases = warm
    window = parse_window("22:00-06:00")
    local = timezone(timedelta(hours=1))
    clock, looks = [datetime(2026, 12, 5, 23, 0, tzinfo=local)], []

    def now() -> datetime:
        looks.append(clock[0])
        if len(looks) == 2:  # the pass began in the window; it closes before its first batch of areas
            clock[0] = datetime(2026, 12, 6, 6, 30, tzinfo=local)
        return clock[0]

    def advance(seconds: float) -> None:
        clock[0] += timedelta(seconds=seconds)

    def gates(window, what):
        return Gate(window, what, now=now, sleep=advance)

    assert sync(engine, bed, vm, enable_cbt=True).failed == {}
    write_blocks(layer, vm, seed=60, count=6, disk=1)
    second, = sync(engine, bed, vm, window=window, gate_factory=gates).passes
    assert second.paused_seconds == 15.5 * 3600 and clock[0] == datetime(2026, 12, 6, 22, 0, tzinfo=local)
    assert in_sync(engine, bed, vm, bases) and toolkit_snapshots(bed, vm) == []
    with session_factory(engine)() as session:
        row = session.scalars(select(SyncPass).where(SyncPass.number == 2)).one()
        assert row.disks["scsi1"]["paused_seconds"] == 15.5 * 3600 and "paused_seconds" not in row.disks["scsi0"]
        run = session.scalars(select(MigrationRun).order_by(MigrationRun.id.desc())).first()
        assert run.options["window"] == "22:00-06:00"
