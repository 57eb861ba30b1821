"""Workbooks in the column layouts of real exports of RVTools 3.x, 4.4 and 4.7, with values made up here."""

from datetime import datetime

import pytest
from tests.rvtools.rvtools_helpers import header_layout, write_workbook

from migrate.discovery.rvtools import read_rvtools

GIB = 1024**3


def _vm_row(**extra):
    row = {"VM": "db01", "Powerstate": "poweredOn", "Template": "False", "CPUs": 4, "Memory": 8192,
           "Provisioned MiB": 30720, "Provisioned MB": 30720, "In Use MiB": 10240, "In Use MB": 10240,
           "Datacenter": "DC1", "Cluster": "C1", "Host": "esx1", "Annotation": "db tier"}
    row.update(extra)
    return row


def _sheets_from(layout: dict[str, list[str]], rows: dict[str, list[dict]]) -> dict:
    return {name: (headers, rows.get(name.removeprefix("tab"), [])) for name, headers in layout.items()}


@pytest.mark.parametrize("layout_name", ["rvtools-4.7.1.4", "rvtools-4.4.3.0", "rvtools-4.7.1.4-custom-attributes",
                                         "rvtools-4.7.1.4-user-columns", "kubev2v-example1",
                                         "rvtools-3.x-tabv-sheets", "rvtools-3.x-era-MB-units"])
def test_every_real_layout_yields_the_vm_with_cpu_memory_and_usage(tmp_path, layout_name):
    layout = header_layout(layout_name)
    path = write_workbook(tmp_path / "export.xlsx", _sheets_from(layout, {"vInfo": [_vm_row()]}))
    vm = read_rvtools(path).inventory.vms[0]
    assert (vm.name, vm.num_cpu, vm.memory_mb, vm.power_state) == ("db01", 4, 8192, "poweredOn")
    assert (vm.used_bytes, vm.uncommitted_bytes) == (10 * GIB, 20 * GIB)


def test_3x_layout_reads_legacy_names_for_os_version_uuid_and_moref(tmp_path):
    layout = header_layout("rvtools-3.x-tabv-sheets")
    row = _vm_row(OS="Microsoft Windows Server 2012 (64-bit)", **{"VM Version": "vmx-09", "UUID": "5012-ab",
                                                                  "Object ID": "vm-77"})
    cpu = {"VM": "db01", "CPUs": 4, "Cores p/s": 2, "Hot Add": "True"}
    path = write_workbook(tmp_path / "old.xlsx", _sheets_from(layout, {"vInfo": [row], "vCPU": [cpu]}))
    vm = read_rvtools(path).inventory.vms[0]
    assert (vm.guest_full_name, vm.hw_version, vm.instance_uuid, vm.moref) == (
        "Microsoft Windows Server 2012 (64-bit)", "vmx-09", "5012-ab", "vm-77")
    assert (vm.cores_per_socket, vm.cpu_hot_add) == (2, True)


def test_custom_attribute_columns_mid_sheet_become_attributes_and_do_not_shift_columns(tmp_path):
    layout = header_layout("rvtools-4.7.1.4-custom-attributes")
    extra = [h for h in layout["vInfo"] if h not in header_layout("rvtools-4.7.1.4")["vInfo"]]
    row = _vm_row(**{name: f"value of {name}" for name in extra})
    path = write_workbook(tmp_path / "attrs.xlsx", _sheets_from(layout, {"vInfo": [row]}))
    vm = read_rvtools(path).inventory.vms[0]
    assert vm.custom_attributes == {name: f"value of {name}" for name in extra}
    assert vm.datacenter == "DC1" and vm.annotation == "db tier"


def test_columns_people_inserted_are_kept_as_attributes(tmp_path):
    layout = header_layout("rvtools-4.7.1.4-user-columns")
    row = _vm_row(PRDorHML="PRD", **{"DB SQL": "yes"})
    path = write_workbook(tmp_path / "edited.xlsx", _sheets_from(layout, {"vInfo": [row]}))
    vm = read_rvtools(path).inventory.vms[0]
    assert vm.custom_attributes == {"PRDorHML": "PRD", "DB SQL": "yes"} and vm.power_state == "poweredOn"


def test_headers_match_regardless_of_case_and_spacing(tmp_path):
    headers = ["vm", " POWERSTATE ", "cpus", "Memory", "Provisioned  MB"]
    path = write_workbook(tmp_path / "x.xlsx", {"vinfo": (headers, [
        {"vm": "a", " POWERSTATE ": "poweredOff", "cpus": 2, "Memory": 1024, "Provisioned  MB": 1}])})
    vm = read_rvtools(path).inventory.vms[0]
    assert (vm.name, vm.power_state, vm.num_cpu, vm.memory_mb) == ("a", "poweredOff", 2, 1024)


def test_dbcolumnnames_variant_is_read(tmp_path):
    headers = ["vInfoVMName", "vInfoPowerstate", "vInfoCPUs", "vInfoMemory", "vInfoUUID"]
    path = write_workbook(tmp_path / "db.xlsx", {"vInfo": (headers, [
        {"vInfoVMName": "a", "vInfoPowerstate": "poweredOn", "vInfoCPUs": 8, "vInfoMemory": 4096,
         "vInfoUUID": "u-1"}])})
    vm = read_rvtools(path).inventory.vms[0]
    assert (vm.name, vm.power_state, vm.num_cpu, vm.memory_mb, vm.instance_uuid) == ("a", "poweredOn", 8, 4096, "u-1")
    assert vm.custom_attributes == {}


def test_excel_booleans_and_raw_vmx_spellings_are_read(tmp_path):
    headers = ["VM", "Template", "CBT", "EFI Secure boot"]
    path = write_workbook(tmp_path / "b.xlsx", {"vInfo": (headers, [
        {"VM": "a", "Template": False, "CBT": "TRUE", "EFI Secure boot": "true"}])})
    vm = read_rvtools(path).inventory.vms[0]
    assert (vm.template, vm.cbt_enabled, vm.secure_boot) == (False, True, True)


def test_snapshot_names_are_unescaped_and_dates_read(tmp_path):
    vinfo = (["VM", "VM UUID"], [{"VM": "a", "VM UUID": "u-1"}])
    snaps = (["VM", "Name", "Date / time", "VM UUID"], [
        {"VM": "a", "Name": "VM Snapshot 24%2f1%2f2024, 1", "Date / time": datetime(2024, 1, 24, 9, 0),
         "VM UUID": "u-1"},
        {"VM": "a", "Name": "old", "Date / time": "1/15/2020 7:54:19 AM", "VM UUID": "u-1"}])
    path = write_workbook(tmp_path / "s.xlsx", {"vInfo": vinfo, "vSnapshot": snaps})
    snapshots = read_rvtools(path).inventory.vms[0].snapshots
    assert [(s.name, s.created) for s in snapshots] == [
        ("VM Snapshot 24/1/2024, 1", "2024-01-24T09:00:00"), ("old", "2020-01-15T07:54:19")]


def test_missing_controller_column_leaves_controller_model_unknown(tmp_path):
    vinfo = (["VM"], [{"VM": "a"}])
    disks = (["VM", "Disk", "Capacity MiB", "Label"], [
        {"VM": "a", "Disk": "Hard disk 1", "Capacity MiB": 1024, "Label": "SCSI controller 0"}])
    vm = read_rvtools(write_workbook(tmp_path / "d.xlsx", {"vInfo": vinfo, "vDisk": disks})).inventory.vms[0]
    assert (vm.disks[0].controller_kind, vm.disks[0].controller_model) == ("scsi", None)
    assert vm.controllers[0].model is None


def test_nic_vlans_come_from_vport_and_dvport(tmp_path):
    vinfo = (["VM", "Host"], [{"VM": "a", "Host": "esx2"}])
    nics = (["VM", "NIC label", "Network", "Switch"], [
        {"VM": "a", "NIC label": "Network adapter 1", "Network": "web", "Switch": "vSwitch0"},
        {"VM": "a", "NIC label": "Network adapter 2", "Network": "db", "Switch": "dvs1"},
        {"VM": "a", "NIC label": "Network adapter 3", "Network": "mystery", "Switch": "dvs1"}])
    vport = (["Host", "Port Group", "Switch", "VLAN"], [
        {"Host": "esx1", "Port Group": "web", "Switch": "vSwitch0", "VLAN": "10"},
        {"Host": "esx2", "Port Group": "web", "Switch": "vSwitch0", "VLAN": "11"}])
    dvswitch = (["Switch", "Datacenter"], [{"Switch": "dvs1", "Datacenter": "DC1"}])
    dvport = (["Port", "Switch", "VLAN"], [{"Port": "db", "Switch": "dvs1", "VLAN": 20}])
    path = write_workbook(tmp_path / "n.xlsx", {"vInfo": vinfo, "vNetwork": nics, "vPort": vport,
                                                "dvSwitch": dvswitch, "dvPort": dvport})
    inventory = read_rvtools(path).inventory
    nics = inventory.vms[0].nics
    assert [(n.network_kind, n.vlan) for n in nics] == [("standard", 11), ("distributed", 20), ("distributed", None)]
    by_name = {n.name: n for n in inventory.networks}
    assert by_name["web"].vlan is None  # the hosts disagree, so the port group has no single VLAN
    assert (by_name["db"].vlan, by_name["db"].datacenter) == (20, "DC1")


def test_srm_placeholders_and_vcls_agents_are_skipped_and_counted(tmp_path):
    rows = [{"VM": "a", "SRM Placeholder": "False"}, {"VM": "b", "SRM Placeholder": "True"},
            {"VM": "vCLS-1234", "SRM Placeholder": "False"}]
    warnings = []
    export = read_rvtools(write_workbook(tmp_path / "v.xlsx", {"vInfo": (["VM", "SRM Placeholder"], rows)}),
                          warn=warnings.append)
    assert [vm.name for vm in export.inventory.vms] == ["a"]
    assert export.provenance["vms_skipped"] == {"srm_placeholder": 1, "vcls": 1}
    assert warnings == ["v.xlsx: 1 SRM placeholder VM and 1 vSphere Cluster Services (vCLS) agent VM not recorded: "
                        "they are not VMs to migrate"]


def test_rows_of_other_tabs_without_a_vinfo_vm_are_counted_not_fatal(tmp_path):
    tools = (["VM", "Tools"], [{"VM": "a", "Tools": "toolsOk"}, {"VM": "gone", "Tools": "toolsOld"}])
    export = read_rvtools(write_workbook(tmp_path / "t.xlsx", {"vInfo": (["VM"], [{"VM": "a"}]), "vTools": tools}))
    assert export.inventory.vms[0].tools_status == "toolsOk"
    assert export.provenance["rows_without_vm"] == {"vTools": 1}


def test_source_is_named_by_vmetadata_server_before_vsource(tmp_path):
    sheets = {"vInfo": (["VM"], [{"VM": "a"}]),
              "vSource": (["Name", "API version", "Fullname"], [
                  {"Name": "vc-old-name", "API version": "7.0.3.0", "Fullname": "VMware vCenter Server 7.0.3"}]),
              "vMetaData": (["RVTools major version", "RVTools version", "xlsx creation datetime", "Server"], [
                  {"RVTools major version": 4.4, "RVTools version": "4.4.3.0", "Server": "vc1.example.com"}])}
    export = read_rvtools(write_workbook(tmp_path / "m.xlsx", sheets))
    assert (export.inventory.source, export.inventory.api_version) == ("vc1.example.com", "7.0.3.0")
    assert export.provenance["source_name_from"] == "vMetaData"
    assert export.provenance["rvtools_version"] == "4.4.3.0"


def test_source_falls_back_to_vsource_without_vmetadata(tmp_path):
    sheets = {"vInfo": (["VM"], [{"VM": "a"}]), "vSource": (["Name"], [{"Name": "vc2.example.com"}])}
    export = read_rvtools(write_workbook(tmp_path / "s.xlsx", sheets))
    assert (export.inventory.source, export.provenance["source_name_from"]) == ("vc2.example.com", "vSource")


def test_blank_rows_are_skipped_and_a_long_blank_tail_ends_the_sheet(tmp_path):
    rows = [{"VM": "a"}, *[{}] * 5, {"VM": "b"}, *[{}] * 1000, {"VM": "after-the-tail"}]
    export = read_rvtools(write_workbook(tmp_path / "gaps.xlsx", {"vInfo": (["VM"], rows)}))
    assert [vm.name for vm in export.inventory.vms] == ["a", "b"]
