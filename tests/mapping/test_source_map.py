import pytest

from migrate.errors import UsageError
from migrate.inventory.model import Datastore, Inventory, Network
from migrate.mapping.files import load_mappings
from migrate.mapping.model import NetworkTarget, StorageTarget
from migrate.mapping.source_map import check_source_map, write_source_map
from tests.readiness.factories import make_disk, make_nic, make_vm


def _inventory():
    vms = [
        make_vm(nics=[make_nic(network="VM Network"), make_nic(network="dvPG-Trunk", mac="00:50:56:00:00:09")]),
        make_vm(name="db", moref="vm-2", disks=[make_disk(datastore="san: gold #1", file_path="[san: gold #1] db/db.vmdk")]),
    ]
    networks = [Network("VM Network", "standard", vlan=20), Network("dvPG-Trunk", "distributed", vlan_mode="trunk", trunk_ranges=[(10, 10), (20, 30)]), Network("Unused", "standard")]
    return Inventory("vc1.example.com", vms=vms, networks=networks, datastores=[Datastore("ds1"), Datastore("empty-ds")])


def test_mapping_init_lists_every_portgroup_and_datastore_with_todo(tmp_path):
    path = write_source_map(_inventory(), tmp_path)
    assert path.name == "vc1.example.com.yaml"
    mappings = load_mappings(path)
    assert set(mappings.networks) == {"VM Network", "dvPG-Trunk", "Unused"}
    assert set(mappings.storage) == {"ds1", "empty-ds", "san: gold #1"}
    assert all(target is None for target in [*mappings.networks.values(), *mappings.storage.values()])
    assert 'trunks: "10;20-30"' in path.read_text() and "vlan: 20" in path.read_text()


def test_mapping_init_refuses_to_overwrite_and_keeps_targets_when_forced(tmp_path):
    path = write_source_map(_inventory(), tmp_path)
    edited = path.read_text().replace("bridge: TODO, vlan: 20", "bridge: vmbr3, vlan: 20")
    edited = edited.replace('"ds1": {storage: TODO}', '"ds1": {storage: tgt, format: qcow2, node_path: "/mnt/pve/ds1"}')
    path.write_text(edited.replace("vms: {}", 'vms:\n  "web":\n    cpu: host  # pinned by hand'))
    with pytest.raises(UsageError, match="exists"):
        write_source_map(_inventory(), tmp_path)
    write_source_map(_inventory(), tmp_path, overwrite=True)
    mappings = load_mappings(path)
    assert mappings.networks["VM Network"] == NetworkTarget("vmbr3", 20)
    assert mappings.vms["web"].cpu == "host"
    assert mappings.storage["ds1"] == StorageTarget("tgt", "qcow2", "/mnt/pve/ds1")


def test_mapping_check_lists_unmapped_unknown_and_invalid_entries(tmp_path):
    path = tmp_path / "vc1.yaml"
    path.write_text(
        'networks:\n  "VM Network": {bridge: vmbr0}\n  "Gone": {bridge: vmbr0}\n  "dvPG-Trunk": {bridge: vmbr0, vlan: 5000}\n'
        "storage:\n  ds1: {storage: tgt}\n"
    )
    result = check_source_map(_inventory(), path)
    assert result.unmapped_networks == {"dvPG-Trunk": ["app01"]}
    assert result.unmapped_datastores == {"san: gold #1": ["db"]}
    assert result.unknown_entries == ["networks: 'Gone' is not a portgroup of vc1.example.com"]
    assert len(result.problems) == 1 and result.problems[0].startswith(f"{path}:4:")
    assert not result.ok
