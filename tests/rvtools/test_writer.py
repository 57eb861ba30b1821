"""The writer: RVTools' own layout, and a round trip through the reader that loses nothing RVTools carries."""

from dataclasses import asdict

import openpyxl
import pytest
from tests.rvtools.rvtools_factories import make_disk, make_inventory, make_nic, make_vm
from tests.rvtools.rvtools_helpers import header_layout

from migrate.inventory.model import Controller, Device
from lab.rvtools import write_rvtools_export
from migrate.discovery.rvtools import read_rvtools
from migrate.discovery.rvtools.layout import LAYOUT


def _round_trip(tmp_path, inventory):
    """The inventory read back, without the origin the reader adds (the written one had none)."""
    read = read_rvtools(write_rvtools_export(inventory, tmp_path / "export.xlsx")).inventory
    assert read.origin.method == "rvtools" and read.origin.label == "export.xlsx"
    read.origin = None
    return read


def test_round_trip_keeps_every_fact_rvtools_carries(tmp_path):
    inventory = make_inventory()
    assert asdict(_round_trip(tmp_path, inventory)) == asdict(inventory)


@pytest.mark.parametrize("vm", [
    make_vm(disks=[make_disk(controller_kind="nvme", controller_model="nvme", bus_number=1)],
            controllers=[Controller(key=None, kind="nvme", model="nvme", bus_number=1)]),
    make_vm(disks=[make_disk(backing="rdm", rdm_mode="physicalMode", thin=None, controller_model="lsilogic-sas")],
            controllers=[Controller(key=None, kind="scsi", model="lsilogic-sas", bus_number=0,
                                    bus_sharing="physicalSharing")]),
    make_vm(nics=[make_nic(adapter_type="e1000e", network="dv-db", network_kind="distributed", vlan=20,
                           switch="dvs1", ip_addresses=[])]),
    make_vm(devices=[Device(kind="cdrom", label="CD/DVD drive 1", backing="client_device",
                            summary="Remote ATAPI", connected=False, start_connected=False)]),
    make_vm(template=True, power_state="poweredOff", firmware="bios", secure_boot=False, hw_version="vmx-13"),
    make_vm(snapshots=[], partitions=[], devices=[], custom_attributes={}, annotation=None),
    make_vm(hw_version="vmx-08"),
], ids=["nvme", "rdm", "distributed-nic", "remote-cd", "bios-template", "bare", "hw-version-below-10"])
def test_round_trip_keeps_variants(tmp_path, vm):
    inventory = make_inventory([vm])
    assert asdict(_round_trip(tmp_path, inventory)) == asdict(inventory)


@pytest.mark.parametrize("name", [
    '=HYPERLINK("http://evil.example","click")', "=1+1", "+SUM(A1)", "-2", "@cmd", "  spaced  ",
    "tab\tinside", "ünïcödé 名前", "100%25 done%2f",
])
def test_hostile_and_formula_looking_vm_names_survive_exactly(tmp_path, name):
    inventory = make_inventory([make_vm(name=name, annotation=name, custom_attributes={"owner": name})])
    vm = _round_trip(tmp_path, inventory).vms[0]
    assert (vm.name, vm.annotation, vm.custom_attributes) == (name, name, {"owner": name})


def test_formula_looking_names_are_written_as_text_not_formulas(tmp_path):
    path = write_rvtools_export(make_inventory([make_vm(name="=1+1")]), tmp_path / "export.xlsx")
    sheet = openpyxl.load_workbook(path)["vInfo"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")


def test_written_tabs_have_the_columns_of_a_real_4_7_export(tmp_path):
    real = header_layout("rvtools-4.7.1.4")
    path = write_rvtools_export(make_inventory([make_vm(custom_attributes={})]), tmp_path / "export.xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True)
    for tab in LAYOUT:
        header = next(workbook[tab].iter_rows(values_only=True))
        assert [h for h in real[tab] if not h.startswith(("AutoDeploy.", "com.vmware."))] == list(header), tab


def test_custom_attributes_are_written_after_annotation(tmp_path):
    vm = make_vm(custom_attributes={"zeta": "1", "Alpha": "2"})
    path = write_rvtools_export(make_inventory([vm]), tmp_path / "export.xlsx")
    header = list(next(openpyxl.load_workbook(path, read_only=True)["vDisk"].iter_rows(values_only=True)))
    at = header.index("Annotation")
    assert header[at + 1:at + 4] == ["Alpha", "zeta", "Datacenter"]


def test_writing_replaces_an_existing_file_only_when_complete(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("old")
    write_rvtools_export(make_inventory(), path)
    assert [vm.name for vm in read_rvtools(path).inventory.vms] == ["web01", "web02"]
    assert [p.name for p in tmp_path.iterdir()] == ["export.xlsx"]


def _column(path, tab: str, header: str) -> list:
    rows = openpyxl.load_workbook(path, read_only=True)[tab].iter_rows(values_only=True)
    at = list(next(rows)).index(header)
    return [row[at] for row in rows]


def test_mounted_iso_is_written_as_rvtools_writes_it_and_read_back_as_its_path(tmp_path):
    cdrom = Device(kind="cdrom", label="CD/DVD drive 1", backing="iso", summary="[ds1] iso/rhel9.iso", connected=True)
    path = write_rvtools_export(make_inventory([make_vm(devices=[cdrom])]), tmp_path / "export.xlsx")
    assert _column(path, "vCD", "Device Type") == ["ISO [ds1] iso/rhel9.iso"]
    device = read_rvtools(path).inventory.vms[0].devices[0]
    assert (device.backing, device.summary) == ("iso", "[ds1] iso/rhel9.iso")


def test_disk_whose_file_path_is_unknown_keeps_its_datastore(tmp_path):
    vm = make_vm(disks=[make_disk(file_path=None, datastore="ds1")])
    path = write_rvtools_export(make_inventory([vm]), tmp_path / "export.xlsx")
    assert _column(path, "vDisk", "Path") == ["[ds1]"]
    disk = read_rvtools(path).inventory.vms[0].disks[0]
    assert (disk.datastore, disk.file_path) == ("ds1", None)
