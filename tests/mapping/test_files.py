import pytest

from migrate.errors import MappingFileError
from migrate.mapping.files import load_guest_os_table, load_hardware_defaults, load_mappings
from migrate.mapping.model import NetworkTarget, StorageTarget


def _write(tmp_path, text):
    path = tmp_path / "vc1.yaml"
    path.write_text(text)
    return path


def test_bundled_example_map_loads_with_todo_entries_as_unmapped():
    mappings = load_mappings("mappings/example.yaml")
    assert mappings.networks["dvPG-Prod-120"] == NetworkTarget("vmbr1", 120, None, True)
    assert mappings.networks["dvPG-Lab"] is None
    assert mappings.storage["nfs-gold"] == StorageTarget("ceph-vm", "raw")
    assert mappings.vms["SQL Server 01"].virtio_drivers is True


@pytest.mark.parametrize(
    ("text", "where", "fix"),
    [
        ("networks:\n  LAN: {bridge: vmbr0, vlan: 0755}\n", ":2:30:", "write a number from 1 to 4094"),
        ("networks:\n  LAN: {bridge: vmbr0, firewall: on}\n", ":2:34:", "not true or false"),
        ("networks:\n  LAN: {bridge: vmbr0, trunks: 22:22}\n", ":2:32:", "trunk list"),
        ("storage:\n  ds1: {storage: tgt, format: vhd}\n", ":2:31:", "use raw, qcow2 or vmdk"),
        ("storage:\n  ds1: {storage: tgt, node_path: mnt/ds1}\n", ":2:34:", "like /mnt/pve/nfs-ds1"),
        ("vms:\n  web:\n    ostype: win12\n", ":3:13:", "not a Proxmox ostype"),
        ("vms:\n  web:\n    ballooning: off\n", ":3:17:", "not true or false"),
        ("netwerks: {}\n", ":1:11:", "unknown section"),
    ],
)
def test_invalid_entry_names_file_line_column_and_fix(tmp_path, text, where, fix):
    path = _write(tmp_path, text)
    with pytest.raises(MappingFileError) as raised:
        load_mappings(path)
    message = str(raised.value)
    assert message.startswith(f"{path}{where}") and fix in message


def test_guest_os_table_maps_windows_servers_the_proxmox_importer_gets_wrong():
    table = load_guest_os_table()
    assert table.lookup("windows7Server64Guest", None) == "win7"
    assert table.lookup("windows8Server64Guest", None) == "win8"
    assert table.lookup("winLonghorn64Guest", None) == "w2k8"
    assert table.lookup(None, "Microsoft Windows Server 2008 R2 (64-bit)") == "win7"
    assert table.lookup("unknownGuest", None) is None


def test_guest_os_table_only_uses_proxmox_ostypes():
    allowed = {"l26", "l24", "win11", "win10", "win8", "win7", "w2k8", "w2k3", "w2k", "wxp", "wvista", "solaris", "other"}
    assert set(load_guest_os_table().by_id.values()) <= allowed
    assert len(load_guest_os_table().by_id) > 150


def test_hardware_defaults_reject_wrong_types(tmp_path):
    path = tmp_path / "hardware.yaml"
    path.write_text("discard: yes\n")
    with pytest.raises(MappingFileError, match=r"hardware.yaml:1:10: discard: must be a bool"):
        load_hardware_defaults(path)


def test_a_datastore_the_nodes_mount_carries_its_node_path_into_the_storage_map(tmp_path):
    path = _write(tmp_path, 'storage:\n  nfs-ds1: {storage: tgt, node_path: "/mnt/pve/nfs-ds1"}\n  vmfs1: {storage: tgt}\n')
    mappings = load_mappings(path)
    assert mappings.storage["nfs-ds1"] == StorageTarget("tgt", None, "/mnt/pve/nfs-ds1")
    assert mappings.storage_for("any-vm", "vmfs1").node_path is None
