"""The clone drill: an operator clones a migrated VM through the API (the clone copies the toolkit's tag and
description); `rollback`, `run --again` and `rollback` again never adopt, change or destroy the clone, and name it
as a VM that looks like the toolkit's but is not."""

from __future__ import annotations

import pytest

from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import VmMigration
from migrate.db.session import session_factory
from migrate.errors import UsageError
from migrate.execution.rollback import rollback
from tests.execution.test_run_again import run_again
from tests.execution.test_run_wave import api, assert_migrated, run
from tests.execution.wave_bed import services_factory
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)

CLONE_VMID = 900


def _target_of(engine, name: str) -> tuple[str, int]:
    with session_factory(engine)() as session:
        migration = next(m for m in session.query(VmMigration) if m.vm_name == name)
        return migration.state["target"]["node"], migration.state["target"]["vmid"]


def _clone(pve, node: str, vmid: int) -> dict:
    upid = pve.post(f"/nodes/{node}/qemu/{vmid}/clone", newid=CLONE_VMID, name="web-prd-01-testcopy", full=1)
    pvevm.wait_task(pve, node, upid, "cloning")
    return pvevm.vm_config(pve, node, CLONE_VMID)


def test_a_clone_of_a_migrated_vm_survives_rollback_run_again_and_rollback(bed, engine, estate):
    _, vms, _ = estate
    assert run(engine, bed).outcome.failed == {}
    chosen = vms[0].name
    pve = api(bed)
    node, vmid = _target_of(engine, chosen)
    clone = _clone(pve, node, vmid)
    assert pvevm.looks_ours(clone)  # the tag and the marker lines came along

    first = rollback(session_factory(engine), services_factory(bed), vm_name=chosen)
    assert first.rolled_back[chosen][0] == f"destroyed target VM {vmid} on {node}"
    assert [f"VM {CLONE_VMID} ('web-prd-01-testcopy')" in line for line in first.noted[chosen]] == [True]

    again = run_again(engine, bed, chosen)
    assert again.outcome.done == [chosen] and again.outcome.failed == {}
    assert _target_of(engine, chosen) == (node, vmid)  # made anew at its planned VMID, the clone not adopted
    assert [f"VM {CLONE_VMID}" in line for line in again.lookalikes[chosen]] == [True]
    assert_migrated(bed, engine, vms, targets=len(vms) + 1)  # the clone carries the tag too

    second = rollback(session_factory(engine), services_factory(bed), vm_name=chosen)
    assert second.rolled_back[chosen][0] == f"destroyed target VM {vmid} on {node}" and second.failed == {}
    assert pvevm.find_vm(pve, vmid) is None
    assert pvevm.vm_config(pve, node, CLONE_VMID) == clone  # untouched, every line of its config


def test_a_clone_moved_to_the_planned_vmid_is_never_adopted(bed, engine, estate):
    """A VM at the planned VMID carrying the marker of another VMID (a clone given the freed VMID) is refused by
    the stale-plan check before anything is done; neither it nor the first clone is ever touched."""
    _, vms, _ = estate
    assert run(engine, bed).outcome.failed == {}
    chosen = vms[1].name
    pve = api(bed)
    node, vmid = _target_of(engine, chosen)
    _clone(pve, node, vmid)
    rollback(session_factory(engine), services_factory(bed), vm_name=chosen)
    upid = pve.post(f"/nodes/{node}/qemu/{CLONE_VMID}/clone", newid=vmid, name="clone-at-the-planned-vmid", full=1)
    pvevm.wait_task(pve, node, upid, "cloning")
    before = pvevm.vm_config(pve, node, vmid)

    with pytest.raises(UsageError, match=f"VMID {vmid} is now taken on the target: plan the wave again"):
        run_again(engine, bed, chosen)
    assert pvevm.vm_config(pve, node, vmid) == before
    nothing = rollback(session_factory(engine), services_factory(bed), vm_name=chosen)  # rolled back already
    assert nothing.rolled_back == {} and nothing.failed == {}
    assert pvevm.vm_config(pve, node, vmid) == before and pvevm.find_vm(pve, CLONE_VMID) is not None
