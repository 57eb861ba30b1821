"""The target VM's API operations against fakepve with real volume files on a `dir` storage."""

from __future__ import annotations

import pytest

from migrate.clients.proxmox import PveEndpoint, connect
from migrate.clients.proxmox import vm as pvevm
from migrate.errors import NotOursError, TargetApiError

TOKEN = "migrate@pve!run"
CONFIG = {"name": "web-01", "memory": 1024, "cores": 1, "scsihw": "virtio-scsi-single",
          "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0", "tags": "migrated;vmware", "description": "from vc"}


def owned(vmid: int, key: str = "vc/vm-1", migration: int = 7) -> pvevm.Ownership:
    return pvevm.Ownership(key, vmid, migration, name="web-01", macs=("BC:24:11:00:00:01",))


@pytest.fixture
def api(served_pve, fakepve_cafile):
    served_pve.apitokens[TOKEN] = "s3cret"
    return connect(PveEndpoint(served_pve.host, TOKEN, "s3cret", port=served_pve.port, ca_file=fakepve_cafile,
                               timeout=30))


def test_create_shell_adopts_the_vm_an_earlier_attempt_made(api, served_pve):
    first = pvevm.create_shell(api, "pve1", CONFIG, owned(4100))
    again = pvevm.create_shell(api, "pve1", CONFIG, owned(4100))
    assert first == again == pvevm.TargetVm("pve1", 4100, "web-01")
    config = pvevm.vm_config(api, "pve1", 4100)
    assert pvevm.not_ours_because(owned(4100), 4100, config) is None and "from vc" in config["description"]
    assert "migrate-owner: vmid=4100 migration=7" in config["description"].splitlines()
    assert [r["vmid"] for r in api.get("/cluster/resources", type="vm")].count(4100) == 1


def test_create_shell_refuses_a_vmid_held_by_a_foreign_vm(api):
    api.post("/nodes/pve1/qemu", vmid=4101, name="foreign", memory=512)
    with pytest.raises(NotOursError, match="VMID 4101 on node pve1 holds VM 'foreign', which is not the toolkit's"):
        pvevm.create_shell(api, "pve1", CONFIG, owned(4101))


def test_a_volume_is_allocated_once_and_never_taken_for_pves_own_efi_disk(api, tmp_path):
    pvevm.create_shell(api, "pve1", {**CONFIG, "efidisk0": "tgt:1,efitype=4m"}, owned(4102, "vc/vm-2"))  # vm-4102-disk-0
    volid = pvevm.allocate_volume(api, "pve1", "tgt", 4102, "scsi0", 5 * 1024 * 1024)
    assert pvevm.allocate_volume(api, "pve1", "tgt", 4102, "scsi0", 5 * 1024 * 1024) == volid
    assert volid == "tgt:4102/vm-4102-migrate-scsi0.raw"
    path = pvevm.volume_path(api, "pve1", volid)
    assert path.startswith(str(tmp_path)) and (tmp_path / "pve-store" / "images" / "4102").is_dir()


def test_destroy_ours_never_touches_a_foreign_vm(api):
    api.post("/nodes/pve1/qemu", vmid=4103, name="lookalike", memory=512, tags="migrate-toolkit",
             description="migrate-vm: vc/vm-3")
    pvevm.create_shell(api, "pve1", CONFIG, owned(4104, "vc/vm-4"))
    pvevm.start(api, "pve1", 4104)
    assert pvevm.destroy_ours(api, owned(4104, "vc/vm-4")) == pvevm.TargetVm("pve1", 4104, "web-01")
    assert pvevm.destroy_ours(api, owned(4104, "vc/vm-4")) is None
    with pytest.raises(NotOursError, match="no marker of the toolkit for this VM"):
        pvevm.destroy_ours(api, owned(4103, "vc/vm-5"))
    assert pvevm.find_vm(api, 4103) is not None and pvevm.find_vm(api, 4104) is None


def test_a_clone_of_our_vm_is_a_lookalike_never_adopted_nor_destroyed(api):
    ours = owned(4106)
    pvevm.create_shell(api, "pve1", CONFIG, ours)
    pvevm.wait_task(api, "pve1", api.post("/nodes/pve1/qemu/4106/clone", newid=4107, name="web-01-testcopy", full=1),
                    "cloning")
    clone_config = pvevm.vm_config(api, "pve1", 4107)
    assert pvevm.looks_ours(clone_config, ours.vm_key)  # the clone copied tag and description
    assert pvevm.lookalikes(api, ours) == [pvevm.TargetVm("pve1", 4107, "web-01-testcopy")]
    assert "not for VMID 4107" in pvevm.not_ours_because(ours, 4107, clone_config)
    # Our VM is destroyed; the clone, even renamed back and at the VMID a new run would use, is never taken for it.
    assert pvevm.destroy_ours(api, ours).vmid == 4106
    assert pvevm.find_vm(api, 4107) is not None
    with pytest.raises(NotOursError):
        pvevm.destroy_ours(api, owned(4107))


@pytest.mark.parametrize(("change", "reason"), [
    ({"name": "other"}, "named 'other'"),
    ({"net0": "virtio=BC:24:11:00:00:99,bridge=vmbr0"}, "lack the planned MAC BC:24:11:00:00:01"),
])
def test_our_marker_at_our_vmid_with_another_name_or_mac_is_not_ours(change, reason):
    config = pvevm.with_marker({**CONFIG, **change}, owned(4108))
    assert reason in pvevm.not_ours_because(owned(4108), 4108, config)


def test_a_vm_marked_before_owner_lines_existed_is_ours_at_its_journaled_vmid_only():
    legacy = {**CONFIG, "tags": "migrate-toolkit", "description": "migrate-vm: vc/vm-1"}
    assert pvevm.not_ours_because(owned(4109), 4109, legacy) is None
    assert "not the toolkit's VMID 4109" in pvevm.not_ours_because(owned(4109), 4110, legacy)


def test_a_vm_of_another_migration_or_database_is_not_ours():
    config = pvevm.with_marker(CONFIG, owned(4111, migration=3))
    assert "made for vmid=4111 migration=3" in pvevm.not_ours_because(owned(4111, migration=7), 4111, config)


def test_a_failed_task_is_a_clear_error(api, served_pve):
    pvevm.create_shell(api, "pve1", CONFIG, owned(4105, "vc/vm-6"))
    served_pve.fail("POST", "/nodes/pve1/qemu/4105/status/start", error="qemu_exited_code")
    with pytest.raises(TargetApiError, match="starting VM 4105 on node pve1 failed: "):
        pvevm.start(api, "pve1", 4105)
