"""The lab discovered through the vSphere API and the sample RVTools export imported: the same inventory.

Both come from `sample_inventory/estate.yaml`: the lab is built from it in the vCenter simulator, the
export is written from it by `lab.export`. `tests/lab/compare.py` compares every fact of the
model except a short, explained list (identity vCenter assigns, facts RVTools lacks, simulator gaps).
"""

from __future__ import annotations

import copy
from dataclasses import fields

import pytest

from migrate.clients.vsphere.connection import VcenterEndpoint, connect
from migrate.discovery.vcenter.harvest import harvest
from migrate.discovery.vcenter import discover_vcenter
from migrate.inventory import model
from lab.export import SAMPLE_EXPORT
from migrate.discovery.rvtools import import_rvtools, read_rvtools
from tests.lab.compare import EXCLUDED, differences, inventory_from_db

pytestmark = pytest.mark.vcsim


@pytest.fixture(scope="module")
def endpoint(lab) -> VcenterEndpoint:
    return VcenterEndpoint(lab.host, lab.username, lab.password, port=lab.port, ca_file=str(lab.ca_file))


@pytest.fixture(scope="module")
def api_inventory(endpoint) -> model.Inventory:
    with connect(endpoint) as connection:
        return harvest(connection).inventory


@pytest.fixture(scope="module")
def export_inventory() -> model.Inventory:
    return read_rvtools(SAMPLE_EXPORT).inventory


def test_api_discovery_and_export_yield_the_same_vms_disks_nics_and_networks(api_inventory, export_inventory):
    assert differences(api_inventory, export_inventory) == []


def test_the_comparison_covers_the_whole_estate(api_inventory, export_inventory):
    for inventory in (api_inventory, export_inventory):
        assert len(inventory.vms) == 76
        assert sum(len(vm.disks) for vm in inventory.vms) == 94
        assert sum(len(vm.nics) for vm in inventory.vms) == 90
        assert {d.datastore for vm in inventory.vms for d in vm.disks} >= {"vmfs-prod-01", "vmfs-prod-02", "vmfs-dr-01"}
        assert len(inventory.hosts) == 9 and len(inventory.datastores) == 8


def test_api_discovery_finds_exactly_the_estate_vms_with_a_vtpm(api_inventory):
    from lab.estate import load_estate_file

    estate = load_estate_file()
    wanted = {vm.name for vm in estate.vms() if vm.vtpm}
    assert wanted and {vm.name for vm in api_inventory.vms if vm.vtpm} == wanted
    assert not any(d.kind == "tpm" or (d.label or "").startswith("device-") for vm in api_inventory.vms for d in vm.devices)


def _set_first_disk_capacity(inventory):
    inventory.vms[0].disks[0].capacity_bytes += 1024**2


def _move_a_disk(inventory):
    vm = next(v for v in inventory.vms if v.name == "sql-prd-01")
    vm.disks[1].datastore = "vmfs-prod-01"


def _drop_a_nic(inventory):
    next(v for v in inventory.vms if len(v.nics) > 1).nics.pop()


def _change_a_nic_network(inventory):
    next(v for v in inventory.vms if v.nics).nics[0].network = "dv-web-120-typo"


def _change_an_adapter(inventory):
    nic = next(n for v in inventory.vms for n in v.nics if n.adapter_type == "vmxnet3")
    nic.adapter_type = "e1000"


def _change_a_dv_vlan(inventory):
    next(n for n in inventory.networks if n.name == "dv-app-110").vlan = 111


def _share_a_bus(inventory):
    vm = next(v for v in inventory.vms if v.name == "sql-prd-01")
    vm.controllers[-1].bus_sharing = "physicalSharing"


def _drop_a_vm(inventory):
    inventory.vms.pop()


def _rename_a_datastore(inventory):
    inventory.datastores[0].name += "-renamed"


def _change_a_controller(inventory):
    disk = next(d for v in inventory.vms for d in v.disks if d.controller_model == "pvscsi")
    disk.controller_model = "lsilogic"


@pytest.mark.parametrize("alter, expected", [
    (_set_first_disk_capacity, "disks[1].capacity_bytes"),
    (_move_a_disk, "VM 'sql-prd-01' disks[2].datastore"),
    (_drop_a_nic, "VM 'app-prd-01' nics (count): API 2, export 1"),
    (_change_a_nic_network, "nics[1].network"),
    (_change_an_adapter, ".adapter_type: API 'vmxnet3', export 'e1000'"),
    (_change_a_dv_vlan, "network 'dv-app-110' vlan: API 110, export 111"),
    (_share_a_bus, "VM 'sql-prd-01' controllers[3].bus_sharing: API 'noSharing', export 'physicalSharing'"),
    (_drop_a_vm, "discovered through the API, not in the export"),
    (_rename_a_datastore, "in the export, not discovered through the API"),
    (_change_a_controller, ".controller_model: API 'pvscsi', export 'lsilogic'"),
])
def test_the_comparison_reports_an_altered_export(api_inventory, export_inventory, alter, expected):
    altered = copy.deepcopy(export_inventory)
    alter(altered)
    found = differences(api_inventory, altered)
    assert found and all(expected in line or "not discovered" in line or "not in the export" in line
                         for line in found), found
    assert any(expected in line for line in found), found


def test_every_exclusion_names_a_model_field_and_a_reason():
    classes = {cls.__name__: cls for cls in (model.Vm, model.Disk, model.Controller, model.Nic, model.IpAddress,
                                             model.Device, model.Snapshot, model.Network, model.Datastore,
                                             model.Host, model.Cluster)}
    for (kind, name), reason in EXCLUDED.items():
        assert name in {f.name for f in fields(classes[kind])}, (kind, name)
        assert len(reason) > 20, (kind, name)


def test_both_paths_agree_after_a_round_trip_through_the_database(endpoint, session, second_session):
    discover_vcenter(session, endpoint).unwrap()
    session.commit()
    changes = import_rvtools(second_session, SAMPLE_EXPORT)
    second_session.commit()
    api = inventory_from_db(session, endpoint.name)
    export = inventory_from_db(second_session, changes.source)
    assert len(api.vms) == len(export.vms) == 76
    assert differences(api, export) == []
