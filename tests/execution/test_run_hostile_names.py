"""Drill 21: vCenter VMs whose names (and so datastore folders and disk files) are shell, URL and option
syntax go through a whole wave, over the node-mounted path and over the datastore file API.

Each is migrated under a DNS-valid Proxmox name while the journal and `status` keep its own name, and no
word of any name is ever run: the scratch directory the names point at stays empty.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from pyVmomi import vim
from pyVim.task import WaitForTask
from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.execution.rollback import rollback
from migrate.inventory.model import Disk
from lab.vcsim import start_vcsim
from migrate.mapping.names import is_valid_name
from migrate.planning.store import load_plan
from tests.execution.test_run_wave import api, run
from tests.execution.wave_bed import services_factory
from tests.execution.wave_fixtures import plan_wave
from tests.factories import make_vm
from tests.support.cli import run_cli
from tests.support.datastore import datastore_dir
from tests.support.vcsim_vms import set_disks
from tests.support.vmdk import MIB, make_raw, make_vmdk


def hostile_names(scratch: Path) -> list[str]:
    return [f"x'; touch {scratch}/pwned #", f"$(id>{scratch}/pwned2)", "-rf", "50%off&dsName=evil",
            "🚀 émoji `touch " + str(scratch) + "/pwned3`", "a long name " * 7 + "end", "first\nsecond; id",
            "a/b"]


def folder_of(name: str) -> str:
    # ESXi writes a VM whose name holds "/" into a folder with "%2f" in its place.
    return name.replace("/", "%2f")


@pytest.fixture(scope="module")
def scratch():
    """Where the names' commands would write if any word of them were run."""
    with tempfile.TemporaryDirectory(prefix="pw") as directory:
        yield Path(directory)


@pytest.fixture(scope="module")
def hostile_estate(sshd, scratch, tmp_path_factory):
    """A vcsim whose VMs are renamed to hostile names, each with a monolithicSparse disk in its folder."""
    names = hostile_names(scratch)
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": len(names), "ds": 1}) as sim:
        if sshd.ca_bundle is not None:
            sshd.trust(sim.ca_file)
        from migrate.clients.vsphere.connection import VcenterEndpoint, connect

        with connect(VcenterEndpoint(sim.host, sim.username, sim.password, port=sim.port,
                                     ca_file=str(sim.ca_file))) as conn:
            view = conn.content.viewManager.CreateContainerView(conn.content.rootFolder, [vim.VirtualMachine], True)
            machines = sorted(view.view, key=lambda vm: vm.name)
            for machine, name in zip(machines, names):
                WaitForTask(machine.Rename_Task(name))
            assert [machine.name for machine in machines] == names  # the simulator took every name as it is
            store, raws, vms = datastore_dir(sim), tmp_path_factory.mktemp("raws"), []
            for index, (machine, name) in enumerate(zip(machines, names)):
                size = (4 + index) * MIB
                relative = f"{folder_of(name)}/{folder_of(name)}.vmdk"
                (store / relative).parent.mkdir(parents=True, exist_ok=True)
                # The simulator's VM gets the planned disk (preflight compares them), then the real VMDK replaces
                # the empty file it made.
                set_disks(machine, [(f"[LocalDS_0] {relative}", size)], create=True)
                make_vmdk(make_raw(raws / f"{index}.raw", size, seed=100 + index), store / relative,
                          "monolithicSparse")
                disk = Disk(key=2000, label="Hard disk 1", capacity_bytes=size, datastore="LocalDS_0",
                            file_path=f"[LocalDS_0] {relative}", controller_kind="scsi", controller_model="pvscsi",
                            bus_number=0, unit_number=0)
                vm = make_vm(name, moref=machine._moId, datacenter="DC0", memory_mb=512, num_cpu=1, disks=[disk])
                vm.nics = [dataclasses.replace(vm.nics[0], mac=f"00:50:56:00:03:{index:02x}")]
                vms.append(vm)
        yield sim, vms, store


@pytest.fixture
def hostile_bed(hostile_estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path):
    return plan_wave(hostile_estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path,
                     pattern="*")


@pytest.mark.parametrize("transport", ["node-path", "https"])
def test_hostile_vm_names_are_migrated_under_dns_names_and_never_run(hostile_bed, hostile_estate, engine, db_url,
                                                                      scratch, sshd, transport):
    if transport == "https" and sshd.ca_bundle is None:
        pytest.skip("the node can trust the simulator's certificate only when the tests run as root")
    _, vms, store = hostile_estate
    names = sorted(vm.name for vm in vms)
    with session_factory(engine)() as session:
        _, plan = load_plan(session, 1)
    assert sorted(vm.vm_name for vm in plan.vms) == names  # none refused at planning
    bed = {**hostile_bed, "node_path": transport == "node-path"}
    result = run(engine, bed, start=False)
    assert list(scratch.iterdir()) == []
    assert result.outcome.failed == {}
    assert sorted(result.outcome.done) == names

    pve = api(bed)
    with session_factory(engine)() as session:
        migrations = {m.vm_name: m for m in session.scalars(select(VmMigration))}
        details = session.scalars(select(StepRun.detail).where(StepRun.step == "copy_disk")).all()
    assert sorted(migrations) == names  # the journal keeps each VM's own name
    assert {d["transport"] for d in details} == {transport}
    planned = {vm.vm_name: vm for vm in plan.vms}
    for vm in vms:
        target = migrations[vm.name].state["target"]
        config = pvevm.vm_config(pve, target["node"], target["vmid"])
        assert config["name"] == planned[vm.name].proxmox_name and is_valid_name(config["name"])
        volume = pvevm.volume_path(pve, target["node"], migrations[vm.name].state["volumes"]["scsi0"])
        source = store / vm.disks[0].file_path.partition("] ")[2]
        compared = subprocess.run(["qemu-img", "compare", "-f", "vmdk", str(source), "-F", "raw", volume],
                                  capture_output=True, text=True, timeout=120)
        assert compared.returncode == 0, compared.stdout + compared.stderr

    status = run_cli("status", "--wave", "1", "--format", "json", db_url=db_url)
    assert status.exit_code == 0, status.stderr
    assert sorted(row["vm"] for row in json.loads(status.stdout)) == names
    assert {row["status"] for row in json.loads(status.stdout)} == {"done"}
    # A VM is rolled back by its own name, whatever it holds; only that one.
    hostile = f"x'; touch {scratch}/pwned #"
    outcome = rollback(session_factory(engine), services_factory(bed), vm_name=hostile)
    assert list(outcome.rolled_back) == [hostile] and outcome.failed == {}
    assert len(pve.get("/cluster/resources", type="vm")) == len(vms) - 1
    assert list(scratch.iterdir()) == []
