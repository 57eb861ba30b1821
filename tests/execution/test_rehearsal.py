"""`migrate test`: a rehearsal copies a running source from a snapshot it removes again, starts the copy as a
test VM on an isolated bridge, and leaves the source as it found it; `--cleanup` removes only the test VMs;
`migrate run --require-test` refuses a VM that has not passed one. On fakepve, vcsim and the loopback node,
SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere.source_state import source_state
from migrate.db.execution_models import Rehearsal, VmMigration
from migrate.db.models import VmRecord
from migrate.db.session import session_factory
from migrate.errors import PreflightError
from migrate.execution.rehearsal import RehearsalOptions, cleanup, rehearse_wave
from migrate.execution.status import wave_status
from migrate.execution.wave import execute_wave
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import estate, plan_wave  # noqa: F401  (fixtures)
from tests.support.pve import set_bridges

pytestmark = pytest.mark.slow


@pytest.fixture
def one_vm(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path):
    vm = estate[1][0]
    bed = plan_wave(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path, pattern=vm.name)
    set_bridges(monkeypatch, {"pve1": [("vmbr0", False), ("vmbr99", False)]})  # vmbr99: isolated, no uplink
    real_start = pvevm.start

    def start(pve, node, vmid):  # the guest has an agent (fakepve's answers 192.0.2.10)
        real_start(pve, node, vmid)
        served_pve.vm(vmid).agent = {}

    monkeypatch.setattr(pvevm, "start", start)
    return bed, vm


def _test_name(vm) -> str:
    return "test-" + vm.name.lower().replace("_", "-")  # the plan's Proxmox name, prefixed


def _source(bed, vm):
    services = services_factory(bed)(None, options_of(bed))
    try:
        state = source_state(services.vsphere, vm.moref)
    finally:
        services.close()
    return state.power_state, state.snapshots


def test_a_rehearsal_starts_an_isolated_copy_and_leaves_the_source_as_found_and_cleanup_removes_only_it(
        one_vm, engine, served_pve):
    bed, vm = one_vm
    before = _source(bed, vm)

    result = rehearse_wave(session_factory(engine), 1, RehearsalOptions("vmbr99", (), options_of(bed, agent_timeout=5)),
                           services_factory(bed))

    assert result.passed == [vm.name], result.failed
    assert _source(bed, vm) == before == ("poweredOn", ())
    with session_factory(engine)() as session:
        row = session.scalars(select(Rehearsal)).one()
        assert session.scalars(select(VmMigration)).all() == [], "a rehearsal is not a migration"
    assert (row.status, row.name, row.vmid) == ("passed", _test_name(vm), 9000)
    assert row.detail["source_before"] == row.detail["source_after"] == ["poweredOn", []]
    pve = services_factory(bed)(None, options_of(bed)).pve
    config = pvevm.vm_config(pve, "pve1", 9000)
    assert config["net0"].endswith("bridge=vmbr99") and "tag=" not in config["net0"]
    assert "migrate-rehearsal" in config["tags"] and pvevm.status(pve, "pve1", 9000) == "running"
    for slot, disk in (("scsi0", vm.disks[0]), ("scsi1", vm.disks[1])):
        volume = pvevm.volume_path(pve, "pve1", config[slot].split(",")[0])
        source = Path(bed["datastore_dir"]) / disk.file_path.partition("] ")[2]
        compared = subprocess.run(["qemu-img", "compare", "-f", "vmdk", str(source), "-F", "raw", volume],
                                  capture_output=True, text=True)
        assert compared.returncode == 0, compared.stdout + compared.stderr

    removed = cleanup(session_factory(engine), 1, services_factory(bed))

    assert removed == [f"{vm.name}: test VM {_test_name(vm)} (VMID 9000 on pve1)"]
    assert pvevm.find_vm(pve, 9000) is None and _source(bed, vm) == before
    assert cleanup(session_factory(engine), 1, services_factory(bed)) == [], "nothing left to remove"
    migrated = execute_wave(session_factory(engine), 1, options_of(bed, require_test=True), services_factory(bed))
    assert migrated.outcome.done == [vm.name], "rehearsed and cleaned up: --require-test lets it through"
    with session_factory(engine)() as session:
        assert [row["rehearsal"] for row in wave_status(session, 1)] == ["passed"]


def test_require_test_refuses_a_vm_never_rehearsed_before_anything_changes(one_vm, engine):
    bed, vm = one_vm

    with pytest.raises(PreflightError) as refused:
        execute_wave(session_factory(engine), 1, options_of(bed, require_test=True), services_factory(bed))

    assert str(refused.value) == (f"{vm.name} has never been rehearsed: rehearse it with `migrate test --wave 1 --vm "
                                  f"{vm.name} --bridge ISOLATED`, or run without --require-test")
    assert _source(bed, vm)[0] == "poweredOn"
    with session_factory(engine)() as session:
        assert all(not m.state for m in session.scalars(select(VmMigration)))


def test_a_vm_a_sync_pass_holds_is_neither_rehearsed_nor_rolled_back_meanwhile(one_vm, engine):
    from migrate.execution import journal
    from migrate.execution.locks import VmLocker
    from migrate.execution.rollback import rollback

    bed, vm = one_vm
    with session_factory(engine)() as session:  # as `migrate sync` journals the VM before its first pass
        vm_id = session.scalar(select(VmRecord.id).where(VmRecord.name == vm.name))
        migration = journal.ensure_vm_migrations(session, 1, [(vm_id, vm.name)])[0].id
    sync_pass = VmLocker(engine)  # the lock a sync pass in another process holds while it copies
    assert sync_pass.try_lock(migration)
    try:
        rehearsed = rehearse_wave(session_factory(engine), 1, RehearsalOptions("vmbr99", (vm.name,), options_of(bed)),
                                  services_factory(bed))
        rolled_back = rollback(session_factory(engine), services_factory(bed), vm_name=vm.name)
    finally:
        sync_pass.release(migration)

    assert rehearsed.failed == {vm.name: "another process works on it now (`migrate sync`, `run` or `test`)"}
    assert rolled_back.failed == {vm.name: f"another process works on {vm.name} now (`migrate run`, `sync`, "
                                           "`cutover` or `test`): roll it back once it has ended"}
    assert _source(bed, vm) == ("poweredOn", ())
    with session_factory(engine)() as session:
        assert session.scalars(select(Rehearsal)).all() == []
        assert session.get(VmMigration, migration).status == "pending"
