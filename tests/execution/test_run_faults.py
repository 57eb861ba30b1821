"""`execute_wave` when the target misbehaves: a full storage, a locked VM, a failed start task.

Each ends in a clean failure naming the VM, the step and the cause, and a second run finishes the work
without copying a finished disk again or creating a VM twice.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.errors import UsageError
from tests.execution.test_run_wave import api, assert_migrated, creates, run
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)


def copy_runs(engine) -> int:
    with session_factory(engine)() as session:
        return len(session.scalars(select(StepRun).where(StepRun.step == "copy_disk")).all())


def test_a_full_storage_is_refused_before_anything_is_created(bed, engine, estate, served_pve):
    _, vms, _ = estate
    served_pve.storages["tgt"]["avail"] = 1024 * 1024
    with pytest.raises(UsageError, match="plan of wave 1 is stale: storage tgt on pve1 has 0.0 GiB free"):
        run(engine, bed)
    assert api(bed).get("/cluster/resources", type="vm") == []
    served_pve.storages["tgt"]["avail"] = 100 * 1024**3
    assert run(engine, bed).outcome.failed == {}
    assert_migrated(bed, engine, vms)


def test_a_locked_vm_fails_the_step_cleanly_and_the_rerun_copies_nothing_again(bed, engine, estate, served_pve,
                                                                              monkeypatch):
    _, vms, _ = estate
    real_set_config = pvevm.set_config
    locked = []

    def lock_first(pve, node, vmid, **params):
        if not locked:
            served_pve.snapshot_lock(vmid, "backup")  # a backup holds the VM, as vzdump would
            locked.append(vmid)
        return real_set_config(pve, node, vmid, **params)

    monkeypatch.setattr(pvevm, "set_config", lock_first)
    first = run(engine, bed, parallel=1)
    assert len(first.outcome.failed) == 1
    (name, message), = first.outcome.failed.items()
    assert f"{name}: step attach failed:" in message and "locked" in message
    with session_factory(engine)() as session:
        failed = session.scalars(select(VmMigration).where(VmMigration.vm_name == name)).one()
        assert (failed.status, failed.current_step) == ("failed", "attach")
    copies = copy_runs(engine)
    served_pve.unlock(locked[0])
    assert run(engine, bed).outcome.failed == {}
    assert copy_runs(engine) == copies  # no disk copied again
    assert_migrated(bed, engine, vms)
    assert creates(served_pve) == len(vms)


def test_a_failed_start_task_is_retried_alone_on_the_next_run(bed, engine, estate, served_pve):
    _, vms, _ = estate
    served_pve.fail("POST", "/status/start", error="qemu_exited_code", times=1)
    first = run(engine, bed, parallel=1)
    assert len(first.outcome.failed) == 1
    (name, message), = first.outcome.failed.items()
    assert f"{name}: step start_target failed: starting VM" in message
    copies = copy_runs(engine)
    assert run(engine, bed).outcome.failed == {}
    assert copy_runs(engine) == copies
    assert_migrated(bed, engine, vms)
    pve = api(bed)
    assert all(pvevm.status(pve, "pve1", r["vmid"]) == "running" for r in pve.get("/cluster/resources", type="vm"))


def test_quorum_lost_mid_run_fails_cleanly_and_the_rerun_after_it_is_back_finishes(bed, engine, estate, served_pve,
                                                                                   monkeypatch):
    _, vms, _ = estate
    real_set_config = pvevm.set_config

    def lose_quorum_first(pve, node, vmid, **params):
        served_pve.lose_quorum()
        return real_set_config(pve, node, vmid, **params)

    monkeypatch.setattr(pvevm, "set_config", lose_quorum_first)
    first = run(engine, bed, parallel=1)
    assert sorted(first.outcome.failed) == sorted(vm.name for vm in vms)
    assert all("cluster not ready - no quorum?" in message for message in first.outcome.failed.values())
    assert "step attach failed" in first.outcome.failed[vms[0].name]  # the others failed at create_shell
    with pytest.raises(UsageError, match="has lost quorum: restore the cluster before running"):
        run(engine, bed)  # only VMs not started yet are checked for staleness; none left, yet quorum is checked
    monkeypatch.setattr(pvevm, "set_config", real_set_config)
    served_pve.regain_quorum()
    assert run(engine, bed).outcome.failed == {}
    with session_factory(engine)() as session:
        copies = session.execute(select(StepRun.vm_migration_id, StepRun.item).where(StepRun.step == "copy_disk")).all()
    assert len(copies) == len(set(copies)) == sum(len(vm.disks) for vm in vms)  # every disk copied once
    assert_migrated(bed, engine, vms)  # one target VM per source: the creates refused without quorum made none

