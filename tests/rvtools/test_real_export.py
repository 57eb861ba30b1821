"""The anonymised real export from kubev2v/migration-planner: RVTools 4.7-era, 6 tabs, re-saved by LibreOffice."""

import pytest
from tests.rvtools.rvtools_helpers import REAL_EXPORT

from migrate.discovery.rvtools import read_rvtools

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def export():
    return read_rvtools(REAL_EXPORT)


def test_real_export_yields_every_vm_despite_the_claimed_million_rows(export):
    assert [vm.name for vm in export.inventory.vms] == [f"vm-{n}" for n in range(1, 10)]


def test_real_export_maps_vinfo_facts(export):
    vm = export.inventory.vms[0]
    assert (vm.moref, vm.instance_uuid) == ("vm-89952", "500b85c1-ef0d-37fb-6897-61c47157f858")
    assert (vm.firmware, vm.hw_version, vm.memory_mb, vm.power_state) == ("efi", "vmx-21", 2224, "poweredOff")
    assert vm.guest_full_name == "Amazon Linux 2 (64-bit)"
    assert vm.used_bytes == 96952 * MIB and vm.uncommitted_bytes == (105742 - 96952) * MIB


def test_real_export_fills_cpus_from_vcpu_where_vinfo_is_empty(export):
    vm9 = export.inventory.vms[8]
    assert vm9.num_cpu == 18 and vm9.memory_mb == 40960


def test_real_export_reads_disks_with_controller_model(export):
    disk = export.inventory.vms[0].disks[0]
    assert (disk.key, disk.capacity_bytes, disk.controller_model, disk.bus_number, disk.thin) == (
        2000, 103424 * MIB, "pvscsi", 0, True)


def test_real_export_keeps_unknowns_unknown(export):
    vm = export.inventory.vms[0]
    # vDisk has no Path, and there is no vTools tab: neither is guessed.
    assert vm.disks[0].file_path is None and vm.disks[0].datastore is None
    assert vm.tools_status is None and vm.bios_uuid is None


def test_real_export_reads_hosts(export):
    host = export.inventory.hosts[0]
    assert (host.name, host.cpu_sockets, host.cpu_cores, host.memory_bytes) == ("10.17.135.71", 2, 32, 261797 * MIB)
    assert len(export.inventory.hosts) == 7


def test_real_export_without_vcenter_name_falls_back_to_file_name_and_says_so(export):
    assert export.inventory.source == "kubev2v-migration-planner-example1"
    assert export.provenance["source_name_from"].startswith("file name")
    assert export.provenance["tabs_read"] == ["vInfo", "vCPU", "vMemory", "vDisk", "vPartition", "vHost"]
    assert len(export.provenance["sha256"]) == 64
