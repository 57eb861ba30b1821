"""The "export all to csv" folder, and zips of either variant."""

import zipfile

from tests.rvtools.rvtools_helpers import write_workbook

from migrate.discovery.rvtools import read_rvtools

VINFO_SEMICOLON = (
    "VM;Powerstate;CPUs;Memory;Provisioned MiB;In Use MiB;Annotation;Datacenter;VM UUID\r\n"
    'Büro-Server;poweredOn;2;4096;1536,5;1024,5;"owner; Müller, IT";DC1;u-1\r\n'
    "=cmd|' /C calc'!A0;poweredOff;1;1024;;;;DC1;u-2\r\n"
)


def _folder(tmp_path, files: dict[str, bytes]):
    folder = tmp_path / "RVTools_export_all_2026-11-20_09.30.00"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def test_csv_folder_with_semicolons_bom_and_decimal_commas_is_read(tmp_path):
    folder = _folder(tmp_path, {"RVTools_tabvInfo.csv": b"\xef\xbb\xbf" + VINFO_SEMICOLON.encode("utf-8")})
    export = read_rvtools(folder)
    first, second = export.inventory.vms
    assert (first.name, first.num_cpu, first.memory_mb) == ("Büro-Server", 2, 4096)
    assert first.annotation == "owner; Müller, IT"
    assert first.used_bytes == int(1024.5 * 1024 * 1024) and first.uncommitted_bytes == 512 * 1024 * 1024
    assert second.name == "=cmd|' /C calc'!A0"
    assert export.provenance["format"] == "csv"


def test_csv_in_cp1252_is_read(tmp_path):
    folder = _folder(tmp_path, {"RVTools_tabvInfo.csv": VINFO_SEMICOLON.encode("cp1252")})
    assert read_rvtools(folder).inventory.vms[0].annotation == "owner; Müller, IT"


def test_csv_with_commas_and_quoted_fields_joins_other_tabs(tmp_path):
    vinfo = b'VM,Powerstate,VM UUID\nweb01,poweredOn,u-1\n'
    vdisk = (b'VM,Disk,Capacity MiB,Controller,Label,Path,VM UUID\n'
             b'web01,Hard disk 1,10240,"LSI Logic SAS",SCSI controller 1,"[ds, one] web01/web01.vmdk",u-1\n')
    folder = _folder(tmp_path, {"RVTools_tabvInfo.csv": vinfo, "RVTools_tabvDisk.csv": vdisk,
                                "RVTools_tabvHealth.csv": b"Name,Message\n"})
    disk = read_rvtools(folder).inventory.vms[0].disks[0]
    assert (disk.controller_model, disk.bus_number, disk.datastore) == ("lsilogic-sas", 1, "ds, one")


def test_zip_of_a_csv_folder_is_read(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("RVTools_export_all/RVTools_tabvInfo.csv", VINFO_SEMICOLON.encode("utf-8"))
        zipped.writestr("__MACOSX/RVTools_export_all/._RVTools_tabvInfo.csv", b"\x00\x05junk")
    export = read_rvtools(archive)
    assert [vm.name for vm in export.inventory.vms][0] == "Büro-Server"
    assert export.provenance["file"] == "export.zip"


def test_zip_of_a_workbook_is_read(tmp_path):
    workbook = write_workbook(tmp_path / "RVTools_export_all.xlsx", {"vInfo": (["VM"], [{"VM": "a"}])})
    archive = tmp_path / "customer.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(workbook, "../../outside/RVTools_export_all.xlsx")
    assert [vm.name for vm in read_rvtools(archive).inventory.vms] == ["a"]
    assert not (tmp_path.parent / "outside").exists()
