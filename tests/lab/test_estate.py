"""Reading the estate file: the sample estate's shape, the YAML shortcuts, and clear refusals."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from migrate.errors import InputFileError
from lab.estate import SAMPLE_ESTATE, load_estate_file, parse_estate


@pytest.fixture(scope="module")
def sample_document() -> dict:
    return yaml.safe_load(SAMPLE_ESTATE.read_text(encoding="utf-8"))


def minimal_document(**vm_overrides) -> dict:
    """The smallest valid estate: one datacenter, one cluster, one host, one VM changed by `vm_overrides`."""
    vm = {"name": "vm-1", "guest_id": "rhel7_64Guest", "guest_name": "RHEL 7", "nics": ["pg-10"],
          "controllers": [{"kind": "scsi", "model": "pvscsi"}], "disks": [10], **vm_overrides}
    host = {"name": "esx1", "cpu_model": "Xeon", "cpu_sockets": 2, "cpu_cores": 16, "cpu_threads": 32,
            "cpu_mhz": 2400, "memory_gb": 256, "esxi_version": "7.0.3", "esxi_build": "1"}
    return {
        "source": "vc.test",
        "custom_attributes": ["Owner"],
        "datacenters": [{
            "name": "DC",
            "datastores": [{"name": "ds1", "type": "VMFS", "capacity_gb": 100}],
            "portgroups": [{"name": "pg-10", "vlan": 10}],
            "clusters": [{"name": "C", "hosts": [host], "vms": [vm]}],
        }],
    }


def only_vm(document: dict):
    return next(parse_estate(document).vms())


def test_sample_estate_has_two_datacenters_three_clusters_and_60_to_100_vms():
    estate = load_estate_file()
    assert [dc.name for dc in estate.datacenters] == ["DC-East", "DC-West"]
    assert [c.name for dc in estate.datacenters for c in dc.clusters] == ["Prod", "DMZ", "DR"]
    assert 60 <= len(list(estate.vms())) <= 100


def test_sample_estate_keeps_awkward_names_exactly():
    names = {vm.name for vm in load_estate_file().vms()}
    assert {"  leading and trailing spaces  ", "O'Brien \"quoted\" vm", "Bücherei-Ω-Ünïcødé",
            "=SUM(A1:A9)+cmd|' -C calc'!A0", "semi;colon,comma\ttab"} <= names


def test_count_numbers_names_hostnames_and_addresses():
    document = minimal_document(name="web-{n:02d}", count=3, hostname="web-{n:02d}.lab",
                                nics=[{"network": "pg-10", "ip": "10.0.0.1{n}/24"}])
    vms = list(parse_estate(document).vms())
    assert [vm.name for vm in vms] == ["web-01", "web-02", "web-03"]
    assert vms[2].hostname == "web-03.lab"
    assert vms[2].nics[0].ip_addresses == ("10.0.0.13/24",)


def test_vm_keys_override_profile_which_overrides_defaults():
    document = minimal_document(profile="big", cpus=8)
    document["defaults"] = {"cpus": 2, "memory_gb": 2, "cbt": True}
    document["profiles"] = {"big": {"cpus": 4, "memory_gb": 16}}
    vm = only_vm(document)
    assert (vm.cpus, vm.memory_mb, vm.cbt) == (8, 16384, True)


def test_vms_without_a_host_are_spread_over_the_cluster_hosts_in_turn():
    document = minimal_document(count=3, name="vm-{n}")
    hosts = document["datacenters"][0]["clusters"][0]["hosts"]
    hosts.append({**hosts[0], "name": "esx2"})
    assert [vm.host for vm in parse_estate(document).vms()] == ["esx1", "esx2", "esx1"]


def test_disks_count_units_up_per_controller_and_skip_scsi_unit_7():
    vm = only_vm(minimal_document(disks=[10] * 9))
    assert [d.unit for d in vm.disks] == [0, 1, 2, 3, 4, 5, 6, 8, 9]


def test_snapshot_names_form_a_chain():
    vm = only_vm(minimal_document(snapshots=["a", "b", "c"]))
    assert [(s.name, s.parent) for s in vm.snapshots] == [("a", None), ("b", "a"), ("c", "b")]


def test_bare_on_and_off_read_as_power_states():
    # YAML 1.1 reads `power: off` as the boolean false.
    assert only_vm(minimal_document(power=False)).power_state == "poweredOff"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"memroy_gb": 4}, "unknown key 'memroy_gb'"),
    ({"name": "web/01"}, "cannot contain '/'"),
    ({"name": "x" * 81}, "vSphere allows 80"),
    ({"nics": ["pg-99"]}, "network 'pg-99' is not a portgroup of DC"),
    ({"datastore": "ds9"}, "datastore 'ds9' is not in datacenter DC"),
    ({"template": True}, "a template must be powered off"),
    ({"secure_boot": True}, "need firmware: efi"),
    ({"disks": [{"size_gb": 10, "sharing": "sharingMultiWriter"}]}, "multi-writer disk must be eager zeroed"),
    ({"disks": [{"size_gb": 10, "controller": "scsi3"}]}, "disk controller 'scsi3' is not one of"),
    ({"profile": "nope"}, "profile 'nope' is not defined"),
    ({"attributes": {"Colour": "red"}}, "unknown key 'Colour'"),
    ({"nics": [{"network": "pg-10", "ip": "10.0.0.300/24"}]}, "is not an address with a prefix length"),
    ({"power": "standby"}, "power is 'standby'"),
    ({"host": "esx9"}, "host 'esx9' is not in the cluster"),
    ({"snapshots": [{"name": "b", "parent": "a"}]}, "has parent 'a'"),
])
def test_mistakes_in_a_vm_are_refused_with_the_vm_named(overrides, message):
    with pytest.raises(InputFileError, match="VM ") as error:
        parse_estate(minimal_document(**overrides))
    assert message in str(error.value)


def test_duplicate_vm_names_are_refused():
    document = minimal_document()
    cluster = document["datacenters"][0]["clusters"][0]
    cluster["vms"].append(copy.deepcopy(cluster["vms"][0]))
    with pytest.raises(InputFileError, match="VM name 'vm-1' appears twice"):
        parse_estate(document)


def test_a_portgroup_with_a_private_vlan_the_switch_lacks_is_refused():
    document = minimal_document()
    document["datacenters"][0]["dvswitches"] = [{"name": "dvs", "portgroups": [{"name": "iso", "pvlan": 301}]}]
    with pytest.raises(InputFileError, match="private VLAN 301"):
        parse_estate(document)


def test_a_bad_trunk_range_is_refused():
    document = minimal_document()
    document["datacenters"][0]["dvswitches"] = [{"name": "dvs", "portgroups": [{"name": "t", "trunk": [[200, 100]]}]}]
    with pytest.raises(InputFileError, match=r"trunk range \[200, 100\]"):
        parse_estate(document)


def test_rules_naming_vms_outside_the_cluster_are_refused():
    document = minimal_document()
    document["datacenters"][0]["clusters"][0]["rules"] = [{"name": "r", "kind": "anti-affinity",
                                                           "vms": ["vm-1", "ghost"]}]
    with pytest.raises(InputFileError, match="ghost"):
        parse_estate(document)


def test_invalid_yaml_names_the_file(tmp_path: Path):
    path = tmp_path / "estate.yaml"
    path.write_text("source: [unclosed\n")
    with pytest.raises(InputFileError, match="estate.yaml is not valid YAML"):
        load_estate_file(path)


def test_a_missing_file_is_an_input_file_error(tmp_path: Path):
    with pytest.raises(InputFileError, match="cannot read the estate file"):
        load_estate_file(tmp_path / "absent.yaml")


def test_errors_from_a_file_name_the_file(tmp_path: Path):
    path = tmp_path / "estate.yaml"
    path.write_text(yaml.safe_dump(minimal_document(cpus=3, cores_per_socket=2)))
    with pytest.raises(InputFileError, match=r"estate.yaml: DC / C: VM vm-1: cpus \(3\) must be a multiple"):
        load_estate_file(path)
