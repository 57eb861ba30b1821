"""estate_to_inventory: the inventory that discovering the lab should yield."""

from __future__ import annotations

import pytest

from lab.estate import estate_to_inventory, load_estate_file


@pytest.fixture(scope="module")
def inventory():
    return estate_to_inventory(load_estate_file())


def vm(inventory, name):
    return next(v for v in inventory.vms if v.name == name)


def test_inventory_has_every_vm_host_cluster_and_datastore_of_the_estate(inventory):
    estate = load_estate_file()
    assert [v.name for v in inventory.vms] == [v.name for v in estate.vms()]
    assert inventory.counts() == {"vms": 76, "hosts": 9, "clusters": 3, "datastores": 8, "networks": 14}
    assert inventory.source == "vcsa01.lab.example"


def test_hosts_carry_two_cpu_vendors_for_planning(inventory):
    assert {h.cpu_model.split()[0] for h in inventory.hosts} == {"Intel(R)", "AMD"}


def test_database_server_disks_keep_controller_provisioning_and_mode(inventory):
    disks = vm(inventory, "sql-prd-01").disks
    assert [(d.controller_model, d.bus_number, d.unit_number) for d in disks] == [
        ("lsilogic-sas", 0, 0), ("pvscsi", 1, 0), ("pvscsi", 1, 1), ("pvscsi", 2, 0), ("pvscsi", 2, 1)]
    assert [(d.thin, d.eager_zero) for d in disks] == [
        (True, False), (False, True), (False, True), (False, False), (True, False)]
    assert disks[4].disk_mode == "independent_persistent"
    assert disks[1].capacity_bytes == 500 * 1024**3
    assert disks[1].datastore == "vmfs-prod-02"


def test_shared_rac_disks_are_multi_writer(inventory):
    assert [d.sharing for d in vm(inventory, "ora-rac-01").disks] == [
        "sharingNone", "sharingMultiWriter", "sharingMultiWriter"]


def test_nics_take_their_vlan_and_kind_from_the_portgroup(inventory):
    nics = vm(inventory, "sql-prd-01").nics
    assert [(n.network, n.network_kind, n.vlan, n.adapter_type) for n in nics] == [
        ("dv-db-130", "distributed", 130, "vmxnet3"), ("Backup-VLAN50", "standard", 50, "e1000e")]
    assert [ip.address for ip in nics[0].ip_addresses] == ["10.10.130.11", "10.10.130.111"]


def test_powered_off_vms_report_no_guest_addresses_or_hostname(inventory):
    old = vm(inventory, "old-billing")
    assert old.power_state == "poweredOff"
    assert old.hostname is None and old.primary_ip is None
    assert old.tools_running == "guestToolsNotRunning"


def test_trunk_and_private_vlan_portgroups_are_described(inventory):
    networks = {n.name: n for n in inventory.networks}
    assert networks["dv-trunk-nfv"].vlan_mode == "trunk"
    assert networks["dv-trunk-nfv"].trunk_ranges == [(100, 199), (300, 399)]
    assert (networks["dv-pvlan-isolated"].vlan_mode, networks["dv-pvlan-isolated"].pvlan_id) == ("pvlan", 301)
    assert {hv.host for hv in networks["Mgmt-VLAN10"].host_vlans} == {h.name for h in inventory.hosts
                                                                     if h.datacenter == "DC-East"}


def test_snapshot_chain_keeps_parents(inventory):
    snapshots = vm(inventory, "app-upgrade-test").snapshots
    assert [(s.name, s.parent) for s in snapshots] == [
        ("base install", None), ("patched SP4", "base install"), ("app 2.1 installed", "patched SP4")]


def test_special_devices_are_listed(inventory):
    assert [d.kind for d in vm(inventory, "gpu-render-01").devices] == ["pci_passthrough"]
    assert [(d.kind, d.backing) for d in vm(inventory, "ups-mon-01").devices] == [
        ("serial", "file"), ("serial", "network")]
    assert "usb" in [c.kind for c in vm(inventory, "licence-srv-01").controllers]


def test_firmware_security_and_latency_facts(inventory):
    win11 = vm(inventory, "vdi-win11-01")
    assert (win11.firmware, win11.secure_boot, win11.vtpm) == ("efi", True, True)
    cache = vm(inventory, "cache-prd-01")
    assert (cache.latency_sensitivity, cache.memory_reservation_mb, cache.memory_reservation_locked) == (
        "high", 32768, True)


def test_clusters_carry_their_drs_rules(inventory):
    prod = next(c for c in inventory.clusters if c.name == "Prod")
    rule = next(r for r in prod.rules if r.name == "sql-ag-separate")
    assert (rule.kind, rule.mandatory, rule.vms) == ("anti-affinity", True, ["sql-prd-01", "sql-prd-02"])


def test_facts_the_simulator_invents_stay_unknown(inventory):
    sample = vm(inventory, "web-prd-01")
    assert (sample.moref, sample.instance_uuid, sample.nics[0].mac, sample.disks[0].file_path) == (
        None, None, None, None)


def test_templates_have_no_resource_pool_as_vsphere_reports_them(inventory):
    templates = [v for v in inventory.vms if v.template]
    assert templates and all(v.resource_pool is None for v in templates)
    assert vm(inventory, "sql-prd-01").resource_pool is not None
