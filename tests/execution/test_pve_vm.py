"""The target VM's API operations against fakepve with real volume files on a `dir` storage."""

from __future__ import annotations

import pytest

from migrate.clients.proxmox import PveEndpoint, connect
from migrate.clients.proxmox import vm as pvevm
from migrate.errors import TargetApiError

TOKEN = "migrate@pve!run"
CONFIG = {"name": "web-01", "memory": 1024, "cores": 1, "scsihw": "virtio-scsi-single",
          "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0", "tags": "migrated;vmware", "description": "from vc"}


@pytest.fixture
def api(served_pve, fakepve_cafile):
    served_pve.apitokens[TOKEN] = "s3cret"
    return connect(PveEndpoint(served_pve.host, TOKEN, "s3cret", port=served_pve.port, ca_file=fakepve_cafile,
                               timeout=30))


def test_create_shell_adopts_the_vm_an_earlier_attempt_made(api, served_pve):
    first = pvevm.create_shell(api, "pve1", 4100, CONFIG, "vc/vm-1")
    again = pvevm.create_shell(api, "pve1", 4100, CONFIG, "vc/vm-1")
    assert first == again == pvevm.TargetVm("pve1", 4100, "web-01")
    config = pvevm.vm_config(api, "pve1", 4100)
    assert pvevm.is_ours(config, "vc/vm-1") and "from vc" in config["description"]
    assert [r["vmid"] for r in api.get("/cluster/resources", type="vm")].count(4100) == 1


def test_create_shell_refuses_a_vmid_held_by_a_foreign_vm(api):
    api.post("/nodes/pve1/qemu", vmid=4101, name="foreign", memory=512)
    with pytest.raises(TargetApiError, match="VMID 4101 is taken on node pve1 by VM 'foreign'"):
        pvevm.create_shell(api, "pve1", 4101, CONFIG, "vc/vm-1")


def test_a_volume_is_allocated_once_and_never_taken_for_pves_own_efi_disk(api, tmp_path):
    pvevm.create_shell(api, "pve1", 4102, {**CONFIG, "efidisk0": "tgt:1,efitype=4m"}, "vc/vm-2")  # vm-4102-disk-0
    volid = pvevm.allocate_volume(api, "pve1", "tgt", 4102, "scsi0", 5 * 1024 * 1024)
    assert pvevm.allocate_volume(api, "pve1", "tgt", 4102, "scsi0", 5 * 1024 * 1024) == volid
    assert volid == "tgt:4102/vm-4102-migrate-scsi0.raw"
    path = pvevm.volume_path(api, "pve1", volid)
    assert path.startswith(str(tmp_path)) and (tmp_path / "pve-store" / "images" / "4102").is_dir()


def test_destroy_ours_never_touches_a_foreign_vm(api):
    api.post("/nodes/pve1/qemu", vmid=4103, name="lookalike", memory=512, tags="migrate-toolkit",
             description="migrate-vm: vc/vm-3")
    pvevm.create_shell(api, "pve1", 4104, CONFIG, "vc/vm-4")
    pvevm.start(api, "pve1", 4104)
    assert pvevm.destroy_ours(api, "vc/vm-4") == pvevm.TargetVm("pve1", 4104, "web-01")
    assert pvevm.destroy_ours(api, "vc/vm-4") is None
    assert pvevm.destroy_ours(api, "vc/vm-5") is None
    assert pvevm.find_vm(api, 4103) is not None and pvevm.find_vm(api, 4104) is None


def test_a_failed_task_is_a_clear_error(api, served_pve):
    pvevm.create_shell(api, "pve1", 4105, CONFIG, "vc/vm-6")
    served_pve.fail("POST", "/nodes/pve1/qemu/4105/status/start", error="qemu_exited_code")
    with pytest.raises(TargetApiError, match="starting VM 4105 on node pve1 failed: "):
        pvevm.start(api, "pve1", 4105)
