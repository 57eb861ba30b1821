"""A real guest migrated with conversion boots on Proxmox's VirtIO devices, with its static IP on its old name.

The guest of lab/guest/ (Debian 12 "as on VMware": open-vm-tools, a VMware-only initramfs, a static address
on ens192) is a vcsim VM's disk; `execute_wave` migrates it with conversion on the lab (fakepve, the loopback
node running virt-v2v-in-place under TCG, real qemu-img); then QEMU boots the target volume with the devices
of the config the VM got on the target. Unconverted, the same guest on the same config does not find its root
disk (tests/guest/test_guest_boot.py). Minutes under TCG (marked `guest`), so on SQLite only: the convert
step's journal on both databases is tests/execution/test_run_convert.py's.
"""

from __future__ import annotations

import dataclasses
import os
import shutil

import pytest
from pyVmomi import vim
from sqlalchemy import select

from lab.guest_boot import Drive, boot, proxmox_machine
from lab.guest_image import GUEST, guest_disk
from lab.vcsim import start_vcsim
from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.inventory.model import Disk
from tests.conftest import _fresh_db_url
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import _vcenter, plan_wave
from tests.factories import make_vm
from tests.support.datastore import datastore_dir
from tests.support.vcsim_vms import set_disks

pytestmark = [pytest.mark.slow, pytest.mark.guest]
MAC = "00:50:56:00:13:01"


@pytest.fixture(autouse=True)
def no_work_directory():
    """The loopback node's /var/tmp outlives each test's fakepve, whose first VMID is always 3000."""
    shutil.rmtree("/var/tmp/migrate-convert-3000", ignore_errors=True)
    yield
    shutil.rmtree("/var/tmp/migrate-convert-3000", ignore_errors=True)


@pytest.fixture
def db_url(request, tmp_path):
    """SQLite only: minutes of TCG per run, and nothing database-specific that the fast tests do not cover."""
    return _fresh_db_url(request, tmp_path, "sqlite")


@pytest.fixture(scope="module")
def guest_estate(sshd, tmp_path_factory):
    """A vcsim VM whose one disk is the real guest's VMDK (hard-linked from the cache: never written)."""
    vmdk = guest_disk().vmdk
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 1, "ds": 1}) as sim:
        store = datastore_dir(sim)
        with _vcenter(sim) as conn:
            view = conn.content.viewManager.CreateContainerView(conn.content.rootFolder, [vim.VirtualMachine], True)
            machine = sorted(view.view, key=lambda vm: vm.name)[0]
            name, moref = machine.name, machine._moId
            disk = Disk(key=2000, label="Hard disk 1", capacity_bytes=GUEST.virtual_size, datastore="LocalDS_0",
                        file_path=f"[LocalDS_0] {name}/{name}_0.vmdk", controller_kind="scsi",
                        controller_model="pvscsi", bus_number=0, unit_number=0)
            set_disks(machine, [(disk.file_path, disk.capacity_bytes)], create=True)
        placed = store / name / f"{name}_0.vmdk"
        placed.unlink()
        try:
            os.link(vmdk, placed)
        except OSError:
            shutil.copyfile(vmdk, placed)
        vm = make_vm(name, moref=moref, datacenter="DC0", memory_mb=1024, num_cpu=1, disks=[disk],
                     guest_id="debian12_64Guest", guest_full_name="Debian GNU/Linux 12 (64-bit)")
        vm.nics = [dataclasses.replace(vm.nics[0], mac=MAC)]
        yield sim, [vm], store


def test_a_guest_migrated_with_conversion_boots_on_virtio_with_its_static_ip_on_its_old_name(
        guest_estate, served_pve, fakepve_cafile, sshd, db_url, engine, session, monkeypatch, tmp_path):
    from migrate.execution.wave import execute_wave

    name = guest_estate[1][0].name
    bed = plan_wave(guest_estate, served_pve, fakepve_cafile, sshd, db_url, session, monkeypatch, tmp_path,
                    pattern=name, convert=True)
    result = execute_wave(session_factory(engine), 1,
                          options_of(bed, parallel=1, convert=True, convert_tcg=True, convert_timeout=900),
                          services_factory(bed))
    assert result.outcome.done == [name], result.outcome.failed

    with session_factory(engine)() as check:
        migration = check.scalars(select(VmMigration)).one()
        convert = check.scalars(select(StepRun).where(StepRun.step == "convert", StepRun.status == "done")).one()
    assert convert.detail["written"] == ["/etc/systemd/network/10-migrate-ens192.link"]
    assert any(command.startswith("env LIBGUESTFS_BACKEND_SETTINGS=force_tcg virt-v2v-in-place")
               for command in convert.detail["commands"])
    tools = convert.detail["tool_seconds"]
    assert len(tools) == 2 and sum(tools) < convert.detail["seconds"]
    print(f"conversion: {convert.detail['seconds']} s, virt-customize {tools[0]} s, virt-v2v-in-place {tools[1]} s")
    node, vmid = migration.state["target"]["node"], migration.state["target"]["vmid"]
    pve = services_factory(bed)(None, options_of(bed)).pve
    config = pvevm.vm_config(pve, node, vmid)
    assert config["scsihw"] == "virtio-scsi-single" and config["net0"].lower().startswith(f"virtio={MAC}")
    volume = pvevm.volume_path(pve, node, migration.state["volumes"]["scsi0"])
    assert not os.path.exists(volume + ".migrate-preconvert"), "the pre-conversion copy is removed once converted"

    booted = boot(proxmox_machine(config, {"scsi0": Drive(volume, "raw")}))

    assert booted.booted, booted.tail()
    assert (booted.interface, booted.address) == (GUEST.interface, GUEST.address)
    assert booted.vmtools is False, "open-vm-tools removed by the conversion"
    assert booted.agent_answered is True, "the guest agent answers on its VirtIO channel"
    print(f"converted boot: {booted.seconds:.0f} s")
