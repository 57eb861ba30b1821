"""The wave test bed as fixtures: vcsim VMs with real VMDKs, a planned wave on fakepve, the loopback sshd."""

from __future__ import annotations

import dataclasses
import json

import pytest
from pyVmomi import vim

from migrate.inventory.model import Disk
from lab.vcsim import start_vcsim
from tests.execution.wave_bed import SECRET, TOKEN
from tests.factories import make_inventory, make_vm, store_inventory
from tests.support.cli import run_cli
from tests.support.datastore import datastore_dir
from tests.support.pve import set_bridges
from tests.support.vcsim_vms import disk_layout, remove_snapshots, set_disks
from tests.support.vmdk import MIB, make_raw, make_vmdk

MAPPING = """source: vc.example.com
networks:
  "VM Network": {bridge: vmbr0}
storage:
  "LocalDS_0": {storage: tgt}
"""
# Per VM: the disks' subformats; sizes grow so that every disk is different.
DISKS = [("monolithicSparse", "streamOptimized"), ("monolithicFlat",), ("twoGbMaxExtentSparse",)]


@pytest.fixture(scope="module")
def estate(sshd, tmp_path_factory):
    """A vcsim with three VMs, each with real VMDKs (in several subformats) in its datastore directory."""
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 3, "ds": 1}) as sim:
        if sshd.ca_bundle is not None:
            sshd.trust(sim.ca_file)
        store = datastore_dir(sim)
        raws = tmp_path_factory.mktemp("raws")
        vms = []
        with _vcenter(sim) as conn:
            view = conn.content.viewManager.CreateContainerView(conn.content.rootFolder, [vim.VirtualMachine], True)
            machines = sorted(((vm.name, vm._moId, vm) for vm in view.view), key=lambda m: m[0])
            for index, ((name, moref, machine), subformats) in enumerate(zip(machines, DISKS)):
                disks = []
                for unit, subformat in enumerate(subformats):
                    size = (8 + 4 * index + 2 * unit) * MIB
                    disks.append(Disk(key=2000 + unit, label=f"Hard disk {unit + 1}", capacity_bytes=size,
                                      datastore="LocalDS_0", file_path=f"[LocalDS_0] {name}/{name}_{unit}.vmdk",
                                      controller_kind="scsi", controller_model="pvscsi", bus_number=0,
                                      unit_number=unit))
                # The simulator's VM gets the same disks as the inventory says, so that the run's preflight finds
                # them as planned; then the real VMDKs replace the empty files it made.
                set_disks(machine, _layout(disks), create=True)
                for unit, (subformat, disk) in enumerate(zip(subformats, disks)):
                    raw = make_raw(raws / f"{name}-{unit}.raw", disk.capacity_bytes, seed=index * 10 + unit)
                    make_vmdk(raw, store / name / f"{name}_{unit}.vmdk", subformat)
                vm = make_vm(name, moref=moref, datacenter="DC0", memory_mb=512, num_cpu=1, disks=disks)
                vm.nics = [dataclasses.replace(vm.nics[0], mac=f"00:50:56:00:02:{index:02x}")]
                vms.append(vm)
        yield sim, vms, store


@pytest.fixture
def bed(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path):
    """The wave planned onto the fake cluster; returns the bed's description (plain data)."""
    return plan_wave(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path)


def plan_wave(estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path,
              pattern: str = "DC0_*", convert: bool = False, virtio_win: str | None = None) -> dict:
    """Wave 1 of the estate's VMs matching `pattern`, planned onto the fake cluster: the bed's description.

    The test estate's disks hold random bytes, no system: the plan converts none of them (`convert: false` for
    each VM in the mapping file) unless `convert` asks for the conversion a real guest would get; `virtio_win`
    is the ISO the target names for Windows conversions."""
    sim, vms, store = estate
    _reset_sources(sim, vms)
    store_inventory(session, make_inventory(*vms))
    served_pve.apitokens[TOKEN] = SECRET
    served_pve.storages["tgt"].update(total=100 * 1024**3, avail=100 * 1024**3)
    set_bridges(monkeypatch, {"pve1": [("vmbr0", False)]})
    (tmp_path / "mappings").mkdir()
    overrides = "" if convert else "vms:\n" + "".join(f"  {json.dumps(vm.name)}: {{convert: false}}\n" for vm in vms)
    (tmp_path / "mappings" / "vc.example.com.yaml").write_text(MAPPING + overrides)
    env = {"MIGRATE_PVE_TOKEN_SECRET": SECRET}
    for args in (("target", "add", "pve", "--api", f"{served_pve.host}:{served_pve.port}", "--token-id", TOKEN,
                  "--ca-file", fakepve_cafile, "--ssh-user", sshd.username, "--ssh-key", str(sshd.client_key),
                  "--known-hosts", str(sshd.known_hosts), *(("--virtio-win", virtio_win) if virtio_win else ())),
                 ("target", "discover", "pve"),
                 ("wave", "create", "1", "--name", "first", "--pattern", pattern, "--shutdown-timeout", "5",
                  "--allow-power-off"),
                 ("plan", "--wave", "1", "--mappings", str(tmp_path / "mappings"), "--vmid-range", "3000-3999")):
        result = run_cli(*args, db_url=db_url, env=env)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
    bed = dict(pve_host=served_pve.host, pve_port=served_pve.port, pve_ca=fakepve_cafile, ssh_host=sshd.host,
               ssh_port=sshd.port, ssh_user=sshd.username, ssh_key=str(sshd.client_key),
               known_hosts=str(sshd.known_hosts), vc_host=sim.host, vc_port=sim.port, vc_user=sim.username,
               vc_password=sim.password, vc_ca=str(sim.ca_file), datastore="LocalDS_0", datastore_dir=str(store))
    return bed


def _reset_sources(sim, vms) -> None:
    """Every source VM on with its NICs connected, its planned disks and no snapshot, as before any migration
    (the simulator is shared, and a failed test may have left a change behind)."""
    from migrate.clients.vsphere import power

    with _vcenter(sim) as conn:
        for vm in vms:
            machine = power.find_vm(conn, vm.moref)
            remove_snapshots(machine)
            if disk_layout(machine) != _layout(vm.disks):
                set_disks(machine, _layout(vm.disks), create=False)
            power.set_nics_connected(conn, vm.moref, True)
            power.power_on(conn, vm.moref)


def _layout(disks: list[Disk]) -> list[tuple[str, int]]:
    return [(d.file_path, d.capacity_bytes) for d in disks]


def _vcenter(sim):
    from migrate.clients.vsphere.connection import VcenterEndpoint, connect

    return connect(VcenterEndpoint(sim.host, sim.username, sim.password, port=sim.port, ca_file=str(sim.ca_file)))
