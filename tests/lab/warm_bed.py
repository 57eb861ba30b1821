"""A vcsim VM with real VMDKs behind the warm layer (lab/warm), for the layer's own tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pyVmomi import vim

from lab.vcsim import start_vcsim
from lab.warm.vcenter import WarmVcenter
from tests.support.datastore import datastore_dir
from tests.support.vcsim_vms import remove_snapshots, set_disks
from tests.support.vmdk import MIB, make_raw, make_vmdk

# (subformat, size) of the VM's disks, device keys 2000 and 2001 once set.
DISKS = [("monolithicSparse", 8 * MIB), ("monolithicFlat", 6 * MIB)]


def vm_of(conn) -> vim.VirtualMachine:
    view = conn.content.viewManager.CreateContainerView(conn.content.rootFolder, [vim.VirtualMachine], True)
    return sorted(view.view, key=lambda vm: vm.name)[0]


def disk_keys(vm: vim.VirtualMachine) -> list[int]:
    return sorted(d.key for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk))


def reset_vm(sim, conn, raws: Path) -> tuple[vim.VirtualMachine, list[Path]]:
    """The VM as before any warm copy: on, no snapshot, change tracking off, its VMDKs made afresh from seeded
    raw images (kept in `raws` as `<unit>.raw` for the tests' comparisons). Done on vcsim directly."""
    from lab import session as lab_session

    vm = vm_of(conn)
    remove_snapshots(vm)
    store = datastore_dir(sim)
    files = [f"[LocalDS_0] {vm.name}/{vm.name}_{unit}.vmdk" for unit in range(len(DISKS))]
    for unit in range(len(DISKS)):
        for old in (store / vm.name).glob(f"{vm.name}_{unit}*"):
            old.unlink()
    # vcsim makes an empty `.vmdk` and `-flat.vmdk` for each disk, which the real VMDKs then replace (the sparse
    # disk keeps an empty `-flat.vmdk`, as in the wave bed: vcsim looks for it when a disk is edited).
    set_disks(vm, [(file, size) for file, (_, size) in zip(files, DISKS)], create=True)
    lab_session.wait(conn, vm.ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=False)), "turn CBT off")
    if vm.runtime.powerState != "poweredOn":
        lab_session.wait(conn, vm.PowerOnVM_Task(), "power on")
    bases = []
    for unit, (subformat, size) in enumerate(DISKS):
        base = store / vm.name / f"{vm.name}_{unit}.vmdk"
        make_vmdk(make_raw(raws / f"{unit}.raw", size, seed=40 + unit), base, subformat)
        bases.append(base)
    return vm, bases


def start_warm(sim, certfile: str, keyfile: str, workdir: Path, **options) -> WarmVcenter:
    return WarmVcenter(sim, {"LocalDS_0": datastore_dir(sim)}, certfile, keyfile, workdir, **options)


def raw_of(image: Path, out: Path) -> bytes:
    """The disk's bytes as qemu-img reads them (the test's own read, not the layer's)."""
    subprocess.run(["qemu-img", "convert", "-O", "raw", str(image), str(out)], check=True, capture_output=True,
                   timeout=120)
    return out.read_bytes()


@pytest.fixture(scope="module")
def sim():
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 1, "ds": 1}) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    from fakepve.certs import make_cert

    certfile, keyfile, _ = make_cert(str(tmp_path_factory.mktemp("warm-pki")), name="warm", hosts=("127.0.0.1",))
    return certfile, keyfile


def connect_through(host, port, user, password, ca_file):
    from migrate.clients.vsphere.connection import VcenterEndpoint, connect

    return connect(VcenterEndpoint(host, user, password, port=port, ca_file=str(ca_file)))


@pytest.fixture
def bed(sim, pki, tmp_path):
    """(layer, the VM's disk keys, the VM seen through the layer by pyvmomi, its base VMDK paths, a directory)."""
    from lab import session as lab_session

    direct = lab_session.connect(sim.host, sim.port, sim.username, sim.password, sim.ca_file, timeout=60)
    try:
        _, bases = reset_vm(sim, direct, tmp_path)
    finally:
        lab_session.disconnect(direct)
    (tmp_path / "deltas").mkdir()
    with start_warm(sim, *pki, tmp_path / "deltas", max_snapshots=3) as warm:
        with connect_through(warm.host, warm.port, sim.username, sim.password, pki[0]) as conn:
            vm = vm_of(conn.si)
            yield warm, disk_keys(vm), vm, bases, tmp_path
