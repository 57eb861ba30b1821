"""Which guests the plan converts on the node (virt-v2v-in-place), and what the conversion keeps of each."""

import pytest

from migrate.errors import MappingFileError
from migrate.inventory.model import IpAddress
from migrate.mapping.conversion import conversion_of
from migrate.mapping.files import load_mappings
from migrate.mapping.mapper import map_vm
from migrate.mapping.model import TargetFacts
from tests.readiness.factories import make_mappings, make_nic, make_vm, with_override

DEBIAN = {"guest_id": "debian12_64Guest", "guest_full_name": "Debian GNU/Linux 12 (64-bit)"}
WINDOWS = {"guest_id": "windows2019srv_64Guest", "guest_full_name": "Microsoft Windows Server 2019 (64-bit)"}


def test_a_linux_guest_is_converted_and_each_nic_keeps_its_vmware_name_in_the_vms_order():
    vm = make_vm(**DEBIAN, nics=[make_nic(mac="00:50:56:00:00:0A"), make_nic(key=4001, mac="00:50:56:00:00:0B")])

    conversion = conversion_of(vm, make_mappings())

    assert (conversion.convert, conversion.guest) == (True, "linux")
    assert conversion.interfaces == [{"mac": "00:50:56:00:00:0a", "name": "ens192"},
                                     {"mac": "00:50:56:00:00:0b", "name": "ens224"}]
    assert "ens192 = 00:50:56:00:00:0a" in conversion.changes and "open-vm-tools" in conversion.changes


def test_a_windows_guest_is_converted_keeping_its_static_addresses_only():
    nic = make_nic(mac="00:50:56:00:00:0C", ip_addresses=[IpAddress("10.0.20.15", 24, "manual"),
                                                          IpAddress("10.0.30.9", 24, "dhcp")])

    conversion = conversion_of(make_vm(**WINDOWS, nics=[nic]), make_mappings())

    assert (conversion.convert, conversion.guest) == (True, "windows")
    assert conversion.static_ips == [{"mac": "00:50:56:00:00:0c", "address": "10.0.20.15", "prefix": 24}]
    assert "virtio-win" in conversion.changes and "10.0.20.15/24" in conversion.changes


@pytest.mark.parametrize(("guest", "reason"), [
    ({"guest_id": "freebsd13_64Guest", "guest_full_name": "FreeBSD 13 (64-bit)"}, "FreeBSD"),
    ({"guest_id": "winXPProGuest", "guest_full_name": "Microsoft Windows XP Professional (32-bit)"}, "legacy"),
    ({"guest_id": "otherGuest", "guest_full_name": "Other (32-bit)", "guest_family": None}, "unknown"),
])
def test_guests_virt_v2v_does_not_convert_keep_their_config_and_say_why(guest, reason):
    conversion = conversion_of(make_vm(**guest), make_mappings())

    assert conversion.convert is False and reason in conversion.reason
    assert conversion.changes.startswith("not converted:")


def test_convert_false_in_the_mapping_file_wins():
    mappings = with_override(make_mappings(), "app01", convert=False)

    conversion = conversion_of(make_vm(**DEBIAN), mappings)

    assert conversion.convert is False and "convert: false" in conversion.reason


def test_the_config_carries_its_conversion_for_the_plan():
    config = map_vm(make_vm(**DEBIAN), make_mappings(), TargetFacts())

    assert config.conversion["convert"] is True and config.conversion["guest"] == "linux"


def test_the_mapping_file_takes_convert_false_and_refuses_a_word_for_it(tmp_path):
    path = tmp_path / "vc1.yaml"
    path.write_text("vms:\n  web:\n    convert: false\n")
    assert load_mappings(path).vms["web"].convert is False

    path.write_text("vms:\n  web:\n    convert: no\n")
    with pytest.raises(MappingFileError, match="not true or false"):
        load_mappings(path)


def test_a_linux_virt_v2v_does_not_know_is_not_converted_as_os_02_says():
    conversion = conversion_of(make_vm(guest_id="vmwarePhoton64Guest", guest_full_name="VMware Photon OS (64-bit)"),
                               make_mappings())

    assert conversion.convert is False and "vmwarePhoton64Guest" in conversion.reason


def test_the_interface_names_the_mapping_file_gives_replace_vmwares_guess(tmp_path):
    path = tmp_path / "vc1.yaml"
    path.write_text("vms:\n  app01:\n    nic_names: [eth0]\n")
    mappings = load_mappings(path)

    conversion = conversion_of(make_vm(**DEBIAN), mappings)

    assert [i["name"] for i in conversion.interfaces][:1] == ["eth0"]
    for bad in ("[eth0, 'a b']", "eth0", "[]", "['../x']"):
        path.write_text(f"vms:\n  app01:\n    nic_names: {bad}\n")
        with pytest.raises(MappingFileError, match="not a list of interface names"):
            load_mappings(path)
