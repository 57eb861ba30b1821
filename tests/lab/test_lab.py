"""The lab: the sample estate loaded into a real vCenter simulator, read back through the PropertyCollector."""

from __future__ import annotations

import pytest

from lab.readback import read_lab_vms
from lab.estate import load_estate_file

pytestmark = pytest.mark.vcsim


@pytest.fixture(scope="session")
def lab_vms(lab):
    return {vm.name: vm for vm in read_lab_vms(lab.host, lab.port, lab.username, lab.password, lab.ca_file)}


@pytest.fixture(scope="session")
def estate():
    return load_estate_file()


def test_lab_holds_exactly_the_estate_vm_names(lab_vms, estate):
    assert sorted(lab_vms) == sorted(vm.name for vm in estate.vms())


def test_lab_places_each_vm_in_its_datacenter_cluster_host_and_folder(lab_vms, estate):
    expected = {vm.name: (vm.datacenter, vm.cluster, vm.host, f"/{vm.datacenter}/vm/{vm.folder}".rstrip("/"))
                for vm in estate.vms()}
    actual = {name: (vm.datacenter, vm.cluster, vm.host, vm.folder) for name, vm in lab_vms.items()}
    assert actual == expected


def test_lab_vms_have_the_estate_disks_and_nic_portgroups(lab_vms, estate):
    expected = {vm.name: ([d.size_gb for d in vm.disks], [n.network for n in vm.nics]) for vm in estate.vms()}
    actual = {name: (vm.disk_gb, vm.nic_networks) for name, vm in lab_vms.items()}
    assert actual == expected


def test_lab_vms_have_the_estate_power_states_templates_and_guest_ids(lab_vms, estate):
    expected = {vm.name: (vm.power_state, vm.template, vm.guest_id) for vm in estate.vms()}
    actual = {name: (vm.power_state, vm.template, vm.guest_id) for name, vm in lab_vms.items()}
    assert actual == expected


def test_lab_vms_have_the_estate_snapshot_trees(lab_vms, estate):
    expected = {vm.name: [(s.name, s.parent) for s in vm.snapshots] for vm in estate.vms()}
    assert {name: vm.snapshots for name, vm in lab_vms.items()} == expected


def test_lab_loads_in_seconds(lab):
    assert lab.load_report.vms == 76
    assert lab.load_report.seconds < 30


def test_lab_vms_report_the_estate_host_names(lab_vms, estate):
    # Powered-on VMs with static addresses get theirs by guest customization, which also sets the name.
    expected = {vm.name: vm.hostname for vm in estate.vms()
                if vm.power_state == "poweredOn" and any(nic.ip_addresses for nic in vm.nics)}
    assert expected
    assert {name: lab_vms[name].hostname for name in expected} == expected


def test_load_report_names_the_addresses_the_simulator_cannot_give(lab, estate):
    several = [vm.name for vm in estate.vms()
               if vm.power_state == "poweredOn" and any(len(nic.ip_addresses) > 1 for nic in vm.nics)]
    assert several
    for name in several:
        assert any(gap.startswith(f"VM {name!r}: its NIC") for gap in lab.load_report.gaps), name


def test_the_lab_password_is_not_on_the_simulators_command_line(lab, lab_vms):
    # lab_vms logged in with the password: the simulator has it, from its environment.
    assert lab_vms
    cmdline = open(f"/proc/{lab.process.pid}/cmdline", "rb").read()
    assert lab.username.encode() in cmdline and lab.password.encode() not in cmdline
