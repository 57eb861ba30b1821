"""What the convert step runs on the node: the libvirt XML, the command lines (Linux and Windows), and the copies
that put a volume back as it was, run here for real on files (the node runs the same argv over SSH)."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest

from migrate.execution import conversion as cv
from tests.support.vmdk import MIB, make_raw

LINUX_VOLUMES = [cv.Volume("scsi0", "/var/lib/vz/images/3000/vm-3000-migrate-scsi0.raw", "raw"),
                 cv.Volume("scsi1", "/dev/pve/vm-3000-migrate-scsi1", "raw", block=True)]


def test_the_libvirt_xml_names_every_volume_with_its_format_and_kind_the_firmware_and_the_macs():
    xml = cv.libvirt_xml("db<&>01", 2048, 2, True, LINUX_VOLUMES, ["00:50:56:AB:CD:EF"])

    domain = ET.fromstring(xml)
    assert domain.findtext("name") == "db<&>01"
    assert domain.find("os").get("firmware") == "efi"
    disks = domain.findall("devices/disk")
    assert [(d.get("type"), d.find("driver").get("type")) for d in disks] == [("file", "raw"), ("block", "raw")]
    assert disks[0].find("source").get("file") == LINUX_VOLUMES[0].path
    assert disks[1].find("source").get("dev") == LINUX_VOLUMES[1].path
    assert [i.find("mac").get("address") for i in domain.findall("devices/interface")] == ["00:50:56:ab:cd:ef"]


def test_bios_guests_have_no_firmware_attribute():
    assert ET.fromstring(cv.libvirt_xml("web", 512, 1, False, LINUX_VOLUMES[:1], [])).find("os").get("firmware") is None


def test_the_node_ends_a_conversion_that_runs_past_its_time_limit():
    argv = cv.bounded(cv.v2v_argv("/var/tmp/migrate-convert-3000/guest.xml"), 1800)

    assert argv[:5] == ["timeout", "--kill-after=30", "1800", "virt-v2v-in-place", "-v"]
    assert argv[-3:] == ["-i", "libvirtxml", "/var/tmp/migrate-convert-3000/guest.xml"]
    assert subprocess.run(cv.bounded(["sleep", "10"], 1)).returncode == 124


def test_a_windows_conversion_names_the_virtio_win_iso_and_keeps_each_static_ip():
    ip = cv.StaticIp("00:50:56:AB:CD:EF", "10.0.20.15", 24, "10.0.20.1", ("10.0.0.53", "10.0.0.54"))

    argv = cv.v2v_argv("/var/tmp/migrate-convert-3001/guest.xml", static_ips=[ip],
                       virtio_win="/var/lib/vz/template/iso/virtio-win.iso")

    assert cv.describe(argv) == (
        "env VIRTIO_WIN=/var/lib/vz/template/iso/virtio-win.iso virt-v2v-in-place "
        "-v -x -i libvirtxml --mac 00:50:56:ab:cd:ef:ip:10.0.20.15,10.0.20.1,24,10.0.0.53,10.0.0.54 "
        "/var/tmp/migrate-convert-3001/guest.xml")


def test_a_linux_nic_keeps_its_vmware_name_by_a_link_file_matching_its_mac():
    path, content = cv.link_file(cv.NicName("00:50:56:00:13:01", "ens192"))

    assert path == "/etc/systemd/network/10-migrate-ens192.link"
    assert "[Match]\nMACAddress=00:50:56:00:13:01\n" in content and "[Link]\nName=ens192\n" in content


def test_the_names_are_written_into_every_disk_of_the_guest_and_the_initramfs_is_rebuilt_only_when_asked():
    nics = [cv.NicName("00:50:56:00:13:01", "ens192"), cv.NicName("00:50:56:00:13:02", "ens224")]

    argv = cv.pin_names_argv(LINUX_VOLUMES, nics, rebuild=True)

    assert argv[:2] == ["virt-customize", "--no-network"]
    assert [argv[i + 1] for i, word in enumerate(argv) if word == "-a"] == [v.path for v in LINUX_VOLUMES]
    assert [argv[i + 1].split(":", 1)[0] for i, word in enumerate(argv) if word == "--write"] == [
        "/etc/systemd/network/10-migrate-ens192.link", "/etc/systemd/network/10-migrate-ens224.link"]
    assert argv[-2:] == ["--run-command", cv.REBUILD_INITRAMFS]
    assert "--run-command" not in cv.pin_names_argv(LINUX_VOLUMES, nics, rebuild=False)


def test_the_log_of_a_logged_command_holds_its_output_and_its_exit_code_is_kept(tmp_path):
    log = tmp_path / "v2v.log"

    done = subprocess.run(cv.logged(["sh", "-c", "echo out; echo err >&2; exit 3"], str(log)))

    assert done.returncode == 3
    assert log.read_text().splitlines() == ["+ sh -c 'echo out; echo err >&2; exit 3'", "out", "err"]
    subprocess.run(cv.logged(["echo", "again"], str(log)))
    assert log.read_text().splitlines()[-2:] == ["+ echo again", "again"], "each command adds to the log"


def _run(argv):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("fmt, block", [("raw", False), ("qcow2", False), ("raw", True)],
                         ids=["file copy beside", "qcow2 snapshot", "block copy in the work directory"])
def test_a_volume_is_put_back_byte_for_byte_as_it_was_before_the_conversion(tmp_path, fmt, block):
    original = make_raw(tmp_path / "original.raw", 16 * MIB, seed=3)
    path = tmp_path / f"volume.{fmt}"
    _run(["qemu-img", "convert", "-f", "raw", "-O", fmt, str(original), str(path)])
    volume = cv.Volume("scsi0", str(path), fmt, block=block)
    workdir = tmp_path / "work"
    workdir.mkdir()

    _run(cv.backup_argv(volume, str(workdir)))
    _run(cv.backup_argv(volume, str(workdir)))  # again, as a resumed step does: the first copy is kept
    _run(["qemu-io", "-f", fmt, "-c", "write -P 0x5a 0 4M", str(path)])  # the conversion writes the volume
    _run(cv.restore_argv(volume, str(workdir)))

    compared = subprocess.run(["qemu-img", "compare", "-f", "raw", str(original), "-F", fmt, str(path)],
                              capture_output=True, text=True)
    assert compared.returncode == 0, compared.stdout
    _run(cv.discard_backup_argv(volume, str(workdir)))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("volume")) == [path.name]
    assert list(workdir.iterdir()) == []


def test_an_address_without_a_known_gateway_is_given_alone_as_virt_v2v_refuses_an_empty_one():
    assert cv.mac_ip_option(cv.StaticIp("00:50:56:AB:CD:EF", "10.0.20.15", 24)) == "00:50:56:ab:cd:ef:ip:10.0.20.15"
