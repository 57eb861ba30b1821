"""A warm copy's later pass on a dense random disk with 1 % of it changed: the bytes it reads against the bytes
changed, and its time against the first pass's; the cutover after a sync against a cold run of the same VM. 64 MiB
in the suite; `benchmarks/warm_sync.py` runs them on 4 GiB (MIGRATE_WARM_BENCH_MIB) and prints the figures these
tests print."""

from __future__ import annotations

import dataclasses
import os

import pytest
from pyVmomi import vim
from sqlalchemy import select

from lab.vcsim import start_vcsim
from lab.warm.vcenter import WarmVcenter
from migrate.clients.vsphere import changed_blocks as cbt
from migrate.db.execution_models import SyncPass, VmMigration
from migrate.db.session import session_factory
from migrate.execution import journal
from migrate.execution.cutover import cutover_wave
from migrate.execution.rollback import rollback
from migrate.execution.wave import execute_wave
from migrate.inventory.model import Disk
from tests.execution.test_sync_drill import in_sync, sync, toolkit_snapshots, write_blocks
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import _vcenter, bed  # noqa: F401  (fixtures)
from tests.lab.warm_bed import pki  # noqa: F401  (fixture)
from tests.factories import make_vm
from tests.support.datastore import datastore_dir
from tests.support.vcsim_vms import set_disks
from tests.support.vmdk import MIB, make_vmdk

SIZE = int(os.environ.get("MIGRATE_WARM_BENCH_MIB", "64")) * MIB
# The link between the source's datastore and the node, for the cutover against the cold run: the loopback node
# copies at 300-500 MiB/s, a real network at about 100 (`benchmarks/warm_sync.py --bwlimit`); unset, unlimited.
LINK_MIB_S = float(os.environ.get("MIGRATE_WARM_BENCH_BWLIMIT") or 0) or None
BLOCK = 64 * 1024


@pytest.fixture(scope="module")
def estate(sshd, tmp_path_factory):
    """A vcsim with one running VM whose one disk (monolithicFlat) holds SIZE random bytes (as the wave bed's)."""
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 1, "ds": 1}) as sim:
        if sshd.ca_bundle is not None:
            sshd.trust(sim.ca_file)
        store = datastore_dir(sim)
        with _vcenter(sim) as conn:
            view = conn.content.viewManager.CreateContainerView(conn.content.rootFolder, [vim.VirtualMachine], True)
            machine, = view.view
            name, moref = machine.name, machine._moId
            disk = Disk(key=2000, label="Hard disk 1", capacity_bytes=SIZE, datastore="LocalDS_0",
                        file_path=f"[LocalDS_0] {name}/{name}_0.vmdk", controller_kind="scsi",
                        controller_model="pvscsi", bus_number=0, unit_number=0)
            set_disks(machine, [(disk.file_path, SIZE)], create=True)
        raw = tmp_path_factory.mktemp("dense") / "dense.raw"
        with open(raw, "wb") as out:
            for _ in range(SIZE // (64 * MIB) or 1):
                out.write(os.urandom(min(SIZE, 64 * MIB)))
        for old in (store / name).glob(f"{name}_0*"):
            old.unlink()
        make_vmdk(raw, store / name / f"{name}_0.vmdk", "monolithicFlat")
        raw.unlink()
        vm = make_vm(name, moref=moref, datacenter="DC0", memory_mb=512, num_cpu=1, disks=[disk])
        vm.nics = [dataclasses.replace(vm.nics[0], mac="00:50:56:00:03:00")]
        yield sim, [vm], store


@pytest.mark.vcsim
def test_a_later_pass_reads_the_changed_one_percent_of_a_dense_disk(bed, estate, pki, engine, tmp_path):
    sim, (vm,), store = estate
    (tmp_path / "deltas").mkdir()
    with WarmVcenter(sim, {"LocalDS_0": store}, *pki, tmp_path / "deltas") as layer:
        through = {**bed, "vc_port": layer.port, "vc_ca": pki[0]}
        first, = sync(engine, through, vm, enable_cbt=True).passes
        changed = write_blocks(layer, vm, seed=1, count=SIZE // BLOCK // 100)
        second, = sync(engine, through, vm).passes
        assert abs(second.bytes_read - changed) <= changed / 10, (second.bytes_read, changed)
        assert second.whole == [] and in_sync(engine, through, vm, [store / vm.name / f"{vm.name}_0.vmdk"])
        assert toolkit_snapshots(through, vm) == []
    print(f"warm sync: disk {SIZE // MIB} MiB, pass 1 {first.seconds:.1f} s ({first.bytes_read} bytes); "
          f"{changed} bytes changed ({changed * 100 / SIZE:.2f} %); pass 2 {second.seconds:.1f} s, "
          f"{second.extents} areas, {second.bytes_read} bytes read")


@pytest.mark.vcsim
def test_a_cutover_after_a_sync_is_down_a_fraction_of_a_cold_run(bed, estate, pki, engine, tmp_path):
    """The same VM cut over after a sync with 1 % changed, then rolled back and migrated cold: the downtime of each
    (source off to target started, as the journal measures it) and the final pass's bytes read against the bytes
    changed. At MIGRATE_WARM_BENCH_MIB >= 1024 the cutover is down at most a tenth of the cold run's time when both
    read through a link of MIGRATE_WARM_BENCH_BWLIMIT MiB/s (a 64 MiB cold copy takes a second, as little as the
    steps around it, and an unlimited loopback copies 4 GiB in about ten: no ratio to hold there)."""
    sim, (vm,), store = estate
    sessions = session_factory(engine)
    (tmp_path / "deltas").mkdir()
    with WarmVcenter(sim, {"LocalDS_0": store}, *pki, tmp_path / "deltas") as layer:
        through = {**bed, "vc_port": layer.port, "vc_ca": pki[0]}
        assert sync(engine, through, vm, enable_cbt=True).failed == {}
        changed = write_blocks(layer, vm, seed=2, count=SIZE // BLOCK // 100)
        linked = options_of(through, bwlimit_mib_s=LINK_MIB_S)
        warm = cutover_wave(sessions, 1, linked, services_factory(through), only=[vm.name])
        assert warm.outcome.done == [vm.name], warm.outcome.failed
        assert in_sync(engine, through, vm, [store / vm.name / f"{vm.name}_0.vmdk"])
        assert toolkit_snapshots(through, vm) == []
        warm_down, final = _downtime(sessions, vm), _final_pass(sessions)
        assert abs(final.bytes_read - changed) <= changed / 10, (final.bytes_read, changed)
        assert rollback(sessions, services_factory(through), vm_name=vm.name).failed == {}
        cold = execute_wave(sessions, 1, linked, services_factory(through), again=[vm.name], only=[vm.name])
        assert cold.outcome.done == [vm.name], cold.outcome.failed
        cold_down = _downtime(sessions, vm)
    if SIZE >= 1024 * MIB and LINK_MIB_S:
        assert warm_down <= cold_down / 10, (warm_down, cold_down)
    print(f"warm cutover: disk {SIZE // MIB} MiB, link {f'{LINK_MIB_S:g} MiB/s' if LINK_MIB_S else 'unlimited'}, "
          f"{changed} bytes changed since the sync "
          f"({changed * 100 / SIZE:.2f} %); final pass {final.extents} areas, {final.bytes_read} bytes read; "
          f"downtime {warm_down:.1f} s warm, {cold_down:.1f} s cold ({warm_down * 100 / cold_down:.0f} %)")


def _downtime(sessions, vm) -> float:
    with sessions() as session:
        migration = session.scalars(select(VmMigration).where(VmMigration.vm_name == vm.name)).one()
        return journal.measured_downtime(session, migration.id)


def _final_pass(sessions) -> SyncPass:
    with sessions() as session:
        row = session.scalars(select(SyncPass).where(SyncPass.final.is_(True))).one()
        session.expunge(row)
        return row
