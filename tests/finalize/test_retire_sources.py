"""`migrate finalize --retire-sources` against the vCenter simulator and the lab's Proxmox cluster: sources renamed
and noted after the grace period and not before, removed only when confirmed, and no rollback afterwards."""

from __future__ import annotations

import ssl

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim
from sqlalchemy import select

from lab.pve import start_simulated_target
from lab.vcsim import start_vcsim
from migrate.clients.proxmox.vm import Ownership, with_marker
from migrate.db.execution_models import VmMigration, VmStatus
from migrate.db.models import VmRecord
from migrate.db.plan_models import PlanRecord, Target, TargetSnapshotRecord, Wave
from migrate.finalize.retire import RETIRED_LINE
from migrate.planning.model import Plan, PlanSettings
from migrate.planning.store import plan_digest
from tests.execution.planned import make_planned_vm
from tests.factories import make_snapshot
from tests.support.cli import run_cli

pytestmark = pytest.mark.vcsim
VMIDS = (2001, 2002)


@pytest.fixture
def vcsim():
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 3, "ds": 1}) as sim:
        yield sim


@pytest.fixture
def lab(tmp_path):
    with start_simulated_target(tmp_path) as target:
        yield target


def env(vcsim, lab) -> dict[str, str]:
    return {"MIGRATE_VCENTER_PASSWORD": vcsim.password, "MIGRATE_PVE_TOKEN_SECRET": lab.secret}


def migrated_wave(vcsim, lab, db_url, session) -> list[str]:
    """The vCenter discovered, and two of its VMs migrated by the toolkit in wave 1 (journal and target VMs)."""
    assert run_cli("source", "add", "vc", "--vcenter", f"{vcsim.host}:{vcsim.port}", "--user", vcsim.username,
                   "--ca-file", str(vcsim.ca_file), db_url=db_url).exit_code == 0
    assert run_cli("discover", db_url=db_url, env=env(vcsim, lab)).exit_code == 0
    records = sorted(session.scalars(select(VmRecord)), key=lambda r: r.name)[:2]
    target = Target(name="pve-lab", api_host=lab.host, api_port=lab.port, token_id=lab.token_id,
                    ca_file=str(lab.ca_file))
    snapshot = TargetSnapshotRecord(target=target, version=1, facts=make_snapshot().to_dict())
    wave = Wave(number=1, name="retire", selection={})
    session.add_all([target, snapshot, wave])
    session.flush()
    planned = tuple(make_planned_vm(r.name, vm_id=r.id, vm_key=f"key-{r.name}", vmid=vmid, node="pve1")
                    for r, vmid in zip(records, VMIDS))
    plan = Plan(1, "retire", "pve-lab", 1, PlanSettings(), False, planned, ())
    session.add(PlanRecord(wave_id=wave.id, version=1, target_id=target.id, snapshot_id=snapshot.id,
                           digest=plan_digest(plan), document=plan.to_dict()))
    for record, vmid in zip(records, VMIDS):
        migration = VmMigration(wave=1, vm_id=record.id, vm_name=record.name, status=VmStatus.DONE,
                                state={"target": {"node": "pve1", "vmid": vmid}})
        session.add(migration)
        session.flush()
        config = with_marker({"scsi0": f"ceph-vm:vm-{vmid}-disk-0"}, Ownership(f"key-{record.name}", vmid, migration.id))
        lab.simulator.add_vm(vmid, record.name, node="pve1", status="running", config=config)
    session.commit()
    return [r.name for r in records]


def source_vms(vcsim) -> dict[str, vim.VirtualMachine]:
    si = SmartConnect(host=vcsim.host, port=vcsim.port, user=vcsim.username, pwd=vcsim.password,
                      sslContext=ssl.create_default_context(cafile=str(vcsim.ca_file)))
    try:
        view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
        return {vm.name: (vm.config.annotation or "") for vm in view.view}
    finally:
        Disconnect(si)


def retire(vcsim, lab, db_url, *args):
    return run_cli("finalize", "--wave", "1", "--retire-sources", *args, db_url=db_url, env=env(vcsim, lab))


def test_sources_are_renamed_and_noted_after_the_grace_period_not_before(vcsim, lab, db_url, session):
    names = migrated_wave(vcsim, lab, db_url, session)
    early = retire(vcsim, lab, db_url, "--grace-days", "30")
    assert early.exit_code == 0, early.stderr
    assert early.stdout.count("in its grace period until") == 2 and set(names) <= set(source_vms(vcsim))
    done = retire(vcsim, lab, db_url, "--grace-days", "0")
    assert done.exit_code == 0, done.stderr
    now = source_vms(vcsim)
    renamed = {name: note for name, note in now.items() if "[migrated " in name}
    assert sorted(n.split(" [migrated ")[0] for n in renamed) == sorted(names)
    assert all(note.startswith(RETIRED_LINE) and "VM 200" in note for note in renamed.values())
    assert len(now) == 3  # the third VM, not migrated, is untouched
    again = retire(vcsim, lab, db_url, "--grace-days", "0")
    assert again.exit_code == 0 and "0 changes made" in again.stderr and source_vms(vcsim) == now


def test_a_source_whose_target_is_not_running_is_kept(vcsim, lab, db_url, session):
    names = migrated_wave(vcsim, lab, db_url, session)
    next(vm for vm in lab.simulator.vms if vm.vmid == VMIDS[0]).status = "stopped"
    result = retire(vcsim, lab, db_url, "--grace-days", "0")
    assert result.exit_code == 0 and "is stopped: source kept until it runs" in result.stdout
    assert names[0] in source_vms(vcsim) and names[1] not in source_vms(vcsim)


def power_off(vcsim, names) -> None:
    """As `migrate run` leaves the sources it migrated."""
    si = SmartConnect(host=vcsim.host, port=vcsim.port, user=vcsim.username, pwd=vcsim.password,
                      sslContext=ssl.create_default_context(cafile=str(vcsim.ca_file)))
    try:
        view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
        for vm in view.view:
            if vm.name in names:
                WaitForTask(vm.PowerOffVM_Task())
    finally:
        Disconnect(si)


def test_a_powered_on_source_is_renamed_but_not_removed(vcsim, lab, db_url, session):
    names = migrated_wave(vcsim, lab, db_url, session)
    result = retire(vcsim, lab, db_url, "--grace-days", "0", "--unregister", "--confirm", ",".join(names))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("is poweredOn: not removed") == 2 and len(source_vms(vcsim)) == 3
    assert sum("[migrated " in name for name in source_vms(vcsim)) == 2


def test_unregistering_needs_the_vms_confirmed_and_then_removes_only_them(vcsim, lab, db_url, session):
    names = migrated_wave(vcsim, lab, db_url, session)
    power_off(vcsim, names)
    refused = retire(vcsim, lab, db_url, "--grace-days", "0", "--unregister")
    assert refused.exit_code == 2 and f"--confirm {','.join(sorted(names))}" in refused.stderr
    assert set(names) <= set(source_vms(vcsim))  # nothing renamed either
    done = retire(vcsim, lab, db_url, "--grace-days", "0", "--unregister", "--confirm", ",".join(names))
    assert done.exit_code == 0, done.stderr
    assert len(source_vms(vcsim)) == 1 and not set(names) & set(source_vms(vcsim))


def test_a_rollback_after_retirement_is_refused_with_the_reason(vcsim, lab, db_url, session):
    names = migrated_wave(vcsim, lab, db_url, session)
    assert retire(vcsim, lab, db_url, "--grace-days", "0").exit_code == 0
    result = run_cli("rollback", "--wave", "1", db_url=db_url, env=env(vcsim, lab))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert f"the source of {names[0]} (renamed " in result.stderr and "rollback refused" in result.stderr
    assert len(lab.simulator.vms) == 2  # the targets are still there
