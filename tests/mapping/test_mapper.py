"""The mapper's rules, one behaviour per test; tests/mapping/test_fakepve.py proves the configs are valid."""

import shlex

import pytest

from migrate.inventory.model import IpAddress
from migrate.mapping.mapper import map_vm
from migrate.mapping.model import NetworkTarget, TargetFacts
from tests.readiness.factories import GIB, make_disk, make_mappings, make_nic, make_vm, with_override

WINDOWS = {"guest_id": "windows2019srv_64Guest", "guest_full_name": "Microsoft Windows Server 2019 (64-bit)"}
# A Linux whose initramfs is generic (Debian's MODULES=most), so it maps straight to VirtIO.
DEBIAN = {"guest_id": "debian12_64Guest", "guest_full_name": "Debian GNU/Linux 12 (64-bit)"}


def _map(vm=None, mappings=None, facts=None, **kwargs):
    return map_vm(vm or make_vm(), mappings or make_mappings(), facts or TargetFacts(), **kwargs)


def test_linux_vm_gets_virtio_scsi_single_with_iothread_and_virtio_nic():
    params = _map(make_vm(**DEBIAN)).params
    assert params["scsihw"] == "virtio-scsi-single"
    assert params["scsi0"] == "tgt:40,format=raw,iothread=1,discard=on"
    assert params["net0"] == "virtio=00:50:56:01:02:03,bridge=vmbr0,tag=20"
    assert params["agent"] == "enabled=1" and params["boot"] == "order=scsi0" and params["ostype"] == "l26"


def test_windows_without_driver_proof_boots_from_sata_with_e1000e_and_has_a_virtio_variant():
    config = _map(make_vm(**WINDOWS, disks=[make_disk(), make_disk(label="Hard disk 2", unit_number=1)]))
    assert config.params["sata0"].startswith("tgt:40") and "iothread" not in config.params["sata0"]
    assert config.params["scsi0"].startswith("tgt:40") and config.params["boot"] == "order=sata0"
    assert config.params["net0"].startswith("e1000e=") and config.params["ide2"] == "none,media=cdrom"
    assert any("VirtIO" in note for note in config.notes)
    variant = config.virtio_variant
    assert variant.params["net0"].startswith("virtio=") and variant.params["boot"] == "order=scsi0" and "sata0" not in variant.params


def test_windows_with_driver_proof_gets_virtio_directly():
    mappings = with_override(make_mappings(), "app01", virtio_drivers=True)
    config = _map(make_vm(**WINDOWS), mappings)
    assert config.params["net0"].startswith("virtio=") and config.virtio_variant is None


@pytest.mark.parametrize(
    ("guest_id", "ostype"),
    [("windows7Server64Guest", "win7"), ("windows8Server64Guest", "win8"), ("winLonghorn64Guest", "w2k8"), ("windows2022srvNext_64Guest", "win11")],
)
def test_windows_servers_the_proxmox_importer_maps_to_linux_get_a_windows_ostype(guest_id, ostype):
    assert _map(make_vm(guest_id=guest_id)).ostype == ostype


@pytest.mark.parametrize(
    ("models", "cpu"),
    [(("EPYC 7543", "EPYC 7543"), "host"), (("EPYC 7543", "Xeon Gold 6338"), "x86-64-v2-AES"), ((), "x86-64-v2-AES")],
)
def test_cpu_is_host_only_when_every_node_has_the_same_model(models, cpu):
    assert _map(facts=TargetFacts(node_cpu_models=models)).params["cpu"] == cpu


def test_guest_needing_a_higher_level_gets_it_on_mixed_clusters():
    vm = make_vm(guest_id="rhel10_64Guest")
    assert _map(vm, facts=TargetFacts(node_cpu_models=("a", "b"))).params["cpu"] == "x86-64-v3"


@pytest.mark.parametrize(
    ("overrides", "ballooned"),
    [({}, True), ({"memory_reservation_mb": 4096}, False), ({"latency_sensitivity": "high"}, False), ({"memory_reservation_mb": 1024}, True)],
)
def test_ballooning_is_off_only_for_latency_sensitive_vms(overrides, ballooned):
    assert ("balloon" not in _map(make_vm(**overrides)).params) is ballooned


def test_sockets_and_cores_are_kept():
    params = _map(make_vm(num_cpu=8, cores_per_socket=4)).params
    assert (params["sockets"], params["cores"], params["numa"]) == (2, 4, 1)


@pytest.mark.parametrize(("secure_boot", "keys"), [(True, 1), (False, 0)])
def test_efi_guest_gets_ovmf_q35_and_a_4m_efidisk(secure_boot, keys):
    params = _map(make_vm(firmware="efi", secure_boot=secure_boot)).params
    assert (params["bios"], params["machine"]) == ("ovmf", "q35")
    assert params["efidisk0"] == f"tgt:1,efitype=4m,pre-enrolled-keys={keys}"


def test_vtpm_guest_gets_a_tpm_2_state_disk():
    assert _map(make_vm(vtpm=True)).params["tpmstate0"] == "tgt:1,version=v2.0"


def test_mac_and_smbios_uuid_are_kept_and_description_records_the_origin():
    params = _map().params
    assert "00:50:56:01:02:03" in params["net0"]
    assert params["smbios1"] == "uuid=4201aaaa-0000-0000-0000-000000000101"
    assert "'app01' of vc1.example.com" in params["description"] and "vm-101" in params["description"]


def test_multicast_mac_is_dropped_with_a_note():
    config = _map(make_vm(nics=[make_nic(mac="01:00:5e:00:00:01")]))
    assert config.params["net0"].startswith("virtio,bridge=") and any("unicast" in note for note in config.notes)


def test_trunk_firewall_and_disconnected_nic_are_carried_over():
    mappings = make_mappings(networks={"VM Network": NetworkTarget("vmbr1", None, "10;20-30", True)})
    config = _map(make_vm(nics=[make_nic(start_connected=False)]), mappings)
    assert config.params["net0"] == "virtio=00:50:56:01:02:03,bridge=vmbr1,trunks=10;20-30,firewall=1,link_down=1"


def test_disk_sizes_round_up_to_whole_gib_and_boot_disk_is_the_first_on_the_first_bus():
    disks = [make_disk(label="data", unit_number=1, capacity_bytes=GIB + 1), make_disk(label="boot", unit_number=0)]
    params = _map(make_vm(disks=disks)).params
    assert params["scsi0"].startswith("tgt:40,") and params["scsi1"].startswith("tgt:2,")


def test_qm_create_line_is_shell_quoted():
    config = _map(make_vm(name="it's-here"))
    words = shlex.split(config.qm_create(120))
    assert words[:3] == ["qm", "create", "120"]
    assert words[words.index("--description") + 1] == config.params["description"]


def test_unmapped_network_and_datastore_fall_back_with_notes():
    config = _map(make_vm(**DEBIAN, nics=[make_nic(network="DMZ", ip_addresses=[IpAddress("1.2.3.4")])], disks=[make_disk(datastore="ds9")]))
    assert "bridge=vmbr0" in config.params["net0"] and config.params["scsi0"].startswith("local-lvm:")
    assert len(config.notes) == 2


def test_map_show_names_the_vm_as_the_whole_inventory_does():
    from migrate.inventory.model import Inventory
    from migrate.mapping import map_inventory_vm

    inventory = Inventory("vc1", vms=[make_vm(name="web 1", moref="vm-1"), make_vm(name="web_1", moref="vm-2")])
    assert map_inventory_vm(inventory, "web_1", make_mappings(), TargetFacts()).name == "web-1-2"
    assert map_inventory_vm(inventory, "vm-1", make_mappings(), TargetFacts()).name == "web-1"


@pytest.mark.parametrize(("vms", "message"), [([], "is not in the inventory"), ([("a", "vm-1"), ("a", "vm-2")], "give the moref")])
def test_map_show_of_missing_or_ambiguous_vm_says_what_to_do(vms, message):
    from migrate.errors import NotFoundError
    from migrate.inventory.model import Inventory
    from migrate.mapping import map_inventory_vm

    inventory = Inventory("vc1", vms=[make_vm(name=name, moref=moref) for name, moref in vms])
    with pytest.raises(NotFoundError, match=message):
        map_inventory_vm(inventory, "a", make_mappings(), TargetFacts())


@pytest.mark.parametrize(
    "overrides",
    [
        {"guest_id": "windows2028srv_64Guest", "guest_full_name": None, "guest_family": "windowsGuest"},
        {"guest_id": "windws2019srv_64Guest", "guest_full_name": "Microsoft Windows Server 2022 (64-bit)"},
        {"guest_id": "windows2028srv_64Guest", "guest_full_name": None, "guest_family": None},
    ],
)
def test_unknown_windows_guest_id_never_lands_on_virtio_storage_without_driver_proof(overrides):
    config = _map(make_vm(**overrides))
    assert config.params["boot"] == "order=sata0" and config.params["net0"].startswith("e1000e=")
    assert config.virtio_variant is not None


def test_unknown_guest_id_takes_its_ostype_from_the_full_name_then_the_guest_family():
    by_name = _map(make_vm(guest_id="windws2019srv_64Guest", guest_full_name="Microsoft Windows Server 2022 (64-bit)"))
    by_family = _map(make_vm(guest_id="windows2028srv_64Guest", guest_full_name=None, guest_family="windowsGuest"))
    assert by_name.ostype == "win11" and by_family.ostype == "win10"
    assert any("guest family" in note for note in by_family.notes)


@pytest.mark.parametrize(
    ("guest_id", "nic"),
    [("winNTGuest", "rtl8139"), ("win2000ServGuest", "rtl8139"), ("winXPProGuest", "e1000"), ("winNetEnterpriseGuest", "e1000")],
)
def test_legacy_windows_gets_ide_disks_an_old_nic_and_no_agent(guest_id, nic):
    vm = make_vm(guest_id=guest_id, guest_full_name=None, disks=[make_disk(), make_disk(label="Hard disk 2", unit_number=1)])
    config = _map(vm)
    assert config.params["ide0"].startswith("tgt:40") and config.params["ide1"].startswith("tgt:40")
    assert config.params["boot"] == "order=ide0" and not any(key.startswith(("scsi0", "sata")) for key in config.params)
    assert config.params["net0"].startswith(f"{nic}=") and config.params["agent"] == "enabled=0"
    assert any("legacy guest" in note for note in config.notes) and config.virtio_variant is None


@pytest.mark.parametrize(("model", "kind", "boot", "scsihw"), [("pvscsi", "scsi", "scsi0", "pvscsi"), ("ahci", "sata", "sata0", "virtio-scsi-single")])
def test_unconverted_host_only_initramfs_linux_boots_on_the_controller_its_initramfs_has(model, kind, boot, scsihw):
    unconverted = with_override(make_mappings(), "app01", convert=False)
    config = _map(make_vm(disks=[make_disk(controller_kind=kind, controller_model=model)]), unconverted)
    assert config.unconverted is None
    assert config.params["boot"] == f"order={boot}" and config.params["scsihw"] == scsihw
    assert "iothread" not in config.params[boot] and config.params["net0"].startswith("virtio=")
    assert any("dracut -f" in note for note in config.notes)
    assert config.virtio_variant.params["scsihw"] == "virtio-scsi-single" and config.virtio_variant.params["boot"] == "order=scsi0"


@pytest.mark.parametrize(("model", "kind", "boot"), [("pvscsi", "scsi", "scsi0"), ("ahci", "sata", "sata0")])
def test_converted_host_only_initramfs_linux_is_on_virtio_at_once_with_its_safe_config_kept(model, kind, boot):
    config = _map(make_vm(disks=[make_disk(controller_kind=kind, controller_model=model)]))
    assert config.params["scsihw"] == "virtio-scsi-single" and config.params["boot"] == "order=scsi0"
    assert config.virtio_variant is None and any("on VirtIO at once" in note for note in config.notes)
    assert config.unconverted.params["boot"] == f"order={boot}" and config.unconverted.disk_slots == [boot]


def test_windows_is_on_virtio_at_once_when_the_target_names_the_virtio_win_iso():
    vm = make_vm(guest_id="windows2019srv_64Guest", guest_full_name="Microsoft Windows Server 2019 (64-bit)",
                 disks=[make_disk(), make_disk(label="Hard disk 2", unit_number=1)])
    config = _map(vm, facts=TargetFacts(virtio_win="/isos/virtio-win.iso"))
    assert config.params["boot"] == "order=scsi0" and config.params["net0"].startswith("virtio=")
    assert config.conversion["virtio_win"] == "/isos/virtio-win.iso" and config.disk_slots == ["scsi0", "scsi1"]
    safe = config.unconverted
    assert safe.params["boot"] == "order=sata0" and safe.params["net0"].startswith("e1000e=")
    assert safe.disk_slots == ["sata0", "scsi0"] and safe.params["ide2"] == "none,media=cdrom"
    assert _map(vm).unconverted is None and _map(vm).params["boot"] == "order=sata0"


def test_host_only_initramfs_linux_on_lsi_keeps_virtio_scsi_as_no_proxmox_controller_has_its_driver():
    config = _map(make_vm(disks=[make_disk(controller_model="lsilogic")]))
    assert config.params["scsihw"] == "virtio-scsi-single" and config.virtio_variant is None


def test_host_only_initramfs_linux_with_driver_proof_gets_virtio_directly():
    config = _map(make_vm(), with_override(make_mappings(), "app01", virtio_drivers=True))
    assert config.params["scsihw"] == "virtio-scsi-single" and config.virtio_variant is None


@pytest.mark.parametrize("guest_id", ["windows11_64Guest", "windows2022srvNext_64Guest"])
def test_windows_11_and_server_2025_get_a_tpm_2_state_without_a_source_vtpm(guest_id):
    config = _map(make_vm(guest_id=guest_id, firmware="efi", vtpm=False))
    assert config.params["tpmstate0"] == "tgt:1,version=v2.0"
    assert config.virtio_variant.params["tpmstate0"] == "tgt:1,version=v2.0"


def test_freebsd_keeps_the_virtio_config():
    config = _map(make_vm(guest_id="freebsd13_64Guest", guest_full_name="FreeBSD 13 (64-bit)"))
    assert config.params["scsihw"] == "virtio-scsi-single" and config.params["net0"].startswith("virtio=")
