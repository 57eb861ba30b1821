"""Every config the mapper generates is accepted by the PVE 9 API schema (fakepve validates each call)."""

from __future__ import annotations

import pytest
from proxmoxer.tools import Tasks

from migrate.inventory.model import Controller, IpAddress
from migrate.mapping.mapper import map_vm
from migrate.mapping.model import NetworkTarget, StorageTarget, TargetFacts
from tests.readiness.factories import GIB, make_disk, make_mappings, make_nic, make_vm, with_override

WIN = {"guest_id": "windows2022srvNext_64Guest", "guest_full_name": "Microsoft Windows Server 2025 (64-bit)"}
MAPPINGS = make_mappings(
    networks={
        "VM Network": NetworkTarget("vmbr0", 20),
        "Trunk": NetworkTarget("vmbr0", None, "10;20-30"),
        "DMZ": NetworkTarget("vmbr0", 300, None, True),
    },
    storage={"ds1": StorageTarget("tgt", "raw"), "ds2": StorageTarget("tgt", "qcow2")},
)


def _nics(count):
    networks = ["VM Network", "Trunk", "DMZ"]
    return [
        make_nic(key=4000 + i, label=f"Network adapter {i + 1}", mac=f"00:50:56:aa:00:{i:02x}", network=networks[i % 3])
        for i in range(count)
    ]


def _disks(count, datastore="ds1"):
    return [make_disk(key=2000 + i, label=f"Hard disk {i + 1}", unit_number=i, capacity_bytes=(i + 1) * GIB, datastore=datastore) for i in range(count)]


SAMPLES = {
    "linux-bios": make_vm(name="app01"),
    "linux-efi-multi-disk-multi-nic": make_vm(name="DB Server_02", firmware="efi", num_cpu=8, cores_per_socket=4, disks=_disks(3, "ds2"), nics=_nics(3)),
    "windows-bios-no-drivers": make_vm(name="win2k19", **WIN, disks=_disks(2), nics=_nics(2)),
    "windows-efi-secure-boot-vtpm": make_vm(name="win11.example.com", guest_id="windows11_64Guest", firmware="efi", secure_boot=True, vtpm=True),
    "windows-2008r2-latency-sensitive": make_vm(name="legacy", guest_id="windows7Server64Guest", memory_reservation_mb=4096),
    "rhel10-unmapped": make_vm(name="rhel10", guest_id="rhel10_64Guest", disks=[make_disk(datastore="nowhere")], nics=[make_nic(network="nowhere")]),
    "odd-hardware": make_vm(
        name="odd", guest_id=None, guest_full_name=None, firmware=None, num_cpu=3, cores_per_socket=2, memory_mb=None,
        bios_uuid="not-a-uuid", nics=[make_nic(mac="01:00:5e:00:00:01", ip_addresses=[IpAddress("10.0.0.1", 24, "manual")])],
        controllers=[Controller(1000, "scsi", "lsilogic", 0)],
    ),
}


@pytest.mark.parametrize("sample", SAMPLES, ids=list(SAMPLES))
def test_generated_config_is_created_by_the_pve_api(pve_api, sample):
    vm = SAMPLES[sample]
    mappings = MAPPINGS if sample != "linux-efi-multi-disk-multi-nic" else with_override(MAPPINGS, vm.name, ballooning=False)
    facts = TargetFacts(node_cpu_models=("EPYC", "Xeon")) if "rhel10" in sample else TargetFacts()
    config = map_vm(vm, mappings, facts)
    configs = [config] + ([config.virtio_variant] if config.virtio_variant else [])
    for vmid, each in enumerate(configs, start=100):
        _create(pve_api, vmid, each)
        created = pve_api.nodes("pve1").qemu(vmid).config.get()
        assert created["name"] == each.name
        for key in ("ostype", "cpu", "scsihw", "agent", "boot"):
            assert str(created[key]) == str(each.params[key])
        assert {key for key in each.params if key[:4] in ("scsi", "sata", "net0")} <= set(created)


def test_pve_api_rejects_an_invalid_config_so_the_test_above_can_fail(pve_api):
    from proxmoxer.core import ResourceException

    config = map_vm(make_vm(), MAPPINGS, TargetFacts())
    with pytest.raises(ResourceException, match="ostype"):
        pve_api.nodes("pve1").qemu.post(**{**config.api_params(150), "ostype": "win12"})


def _create(api, vmid, config):
    upid = api.nodes("pve1").qemu.post(**config.api_params(vmid))
    status = Tasks.blocking_status(api, upid, polling_interval=0.01)
    assert status["exitstatus"] == "OK", (config.qm_create(vmid), status)
