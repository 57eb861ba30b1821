"""The qemu-img command lines, as words (pure)."""

from __future__ import annotations

import json
import subprocess

import pytest

from migrate.execution.qemu_img import (
    ZERO_INITIALIZED_STORAGE_TYPES,
    HttpsFile,
    NodePath,
    Target,
    compare_argv,
    convert_argv,
    https_filename,
    info_argv,
    parse_progress,
    target_is_zero_safe,
)

URL = "https://vc.example.com/folder/vm%201/disk1.vmdk?dcPath=DC0&dsName=ds1"


def _json_of(argv):
    return json.loads(next(word for word in argv if word.startswith("json:")).removeprefix("json:"))


def test_node_path_copy_opens_the_vmdk_with_its_driver_into_the_allocated_volume():
    argv = convert_argv(NodePath("/mnt/pve/ds1/vm 1/disk1.vmdk"), Target("/store/images/100/vm-100-disk-0.raw"))
    assert argv == ["qemu-img", "convert", "-p", "-n", "-O", "raw", "-f", "vmdk", "/mnt/pve/ds1/vm 1/disk1.vmdk",
                    "/store/images/100/vm-100-disk-0.raw"]


def test_target_is_zero_is_passed_only_for_a_zeroed_target():
    source = NodePath("/mnt/d.vmdk")
    assert "--target-is-zero" in convert_argv(source, Target("/t.raw", zeroed=True))
    assert "--target-is-zero" not in convert_argv(source, Target("/t.raw"))


@pytest.mark.parametrize("storage_type, safe", [
    ("dir", True), ("nfs", True), ("zfspool", True), ("lvmthin", True), ("rbd", True),
    ("lvm", False), ("iscsi", False), ("iscsidirect", False), ("something-new", False),
])
def test_zero_init_is_trusted_only_on_storage_types_that_guarantee_it(storage_type, safe):
    assert target_is_zero_safe(storage_type) is safe


def test_thick_lvm_is_not_in_the_zero_initialized_table():
    assert "lvm" not in ZERO_INITIALIZED_STORAGE_TYPES


def test_https_copy_uses_one_coroutine_and_the_https_driver_under_vmdk():
    argv = convert_argv(HttpsFile(URL), Target("/t.raw"))
    assert argv[argv.index("-m") + 1] == "1"
    options = _json_of(argv)
    assert options["driver"] == "vmdk"
    assert options["file"]["driver"] == "https" and options["file"]["url"] == URL
    assert options["file"]["sslverify"] is True and options["file"]["timeout"] == 60


def test_flat_extent_is_opened_with_the_raw_driver():
    assert _json_of(convert_argv(HttpsFile(URL.replace(".vmdk", "-flat.vmdk"), flat=True), Target("/t.raw")))[
        "driver"] == "raw"


def test_tls_verification_is_off_only_when_asked():
    assert _json_of(convert_argv(HttpsFile(URL, verify_tls=False), Target("/t.raw")))["file"]["sslverify"] is False


def test_cookie_is_read_from_stdin_through_a_secret_object_never_given_as_a_value():
    argv = convert_argv(HttpsFile(URL, cookie_on_stdin=True), Target("/t.raw"))
    assert argv[argv.index("--object") + 1] == "secret,id=migrate-cookie,file=/dev/stdin"
    options = _json_of(argv)["file"]
    assert options["cookie-secret"] == "migrate-cookie" and "cookie" not in options


def test_url_with_quotes_stays_one_valid_json_word():
    url = 'https://vc/folder/x%27%22%20%24(id)/d.vmdk?dsName=a"b'
    assert _json_of(convert_argv(HttpsFile(url), Target("/t.raw")))["file"]["url"] == url


def test_https_filename_refuses_other_schemes():
    with pytest.raises(ValueError):
        https_filename(HttpsFile("http://vc/folder/d.vmdk"))


@pytest.mark.parametrize("path", ["-rf", "relative/d.vmdk", "https://x/d.vmdk", "json:{}"])
def test_relative_paths_are_refused_so_no_word_can_be_an_option_or_a_protocol(path):
    with pytest.raises(ValueError):
        convert_argv(NodePath(path), Target("/t.raw"))
    with pytest.raises(ValueError):
        convert_argv(NodePath("/d.vmdk"), Target(path))


def test_compare_and_info_name_the_formats():
    assert compare_argv(NodePath("/d.vmdk"), Target("/t.qcow2", "qcow2")) == [
        "qemu-img", "compare", "-f", "vmdk", "/d.vmdk", "-F", "qcow2", "/t.qcow2"]
    assert info_argv(Target("/t.raw")) == ["qemu-img", "info", "--output=json", "-f", "raw", "/t.raw"]
    assert "-m" not in info_argv(HttpsFile(URL))


@pytest.mark.parametrize("line, fraction", [
    ("    (0.00/100%)", 0.0), ("    (12.00/100%)", 0.12), ("(100.00/100%)", 1.0), ("    (5.5/100%)", 0.055),
    ("qemu-img: error", None), ("", None),
])
def test_progress_lines_become_fractions(line, fraction):
    assert parse_progress(line) == (pytest.approx(fraction) if fraction is not None else None)


RBD = "rbd:ceph-vm/vm-1000-disk-0:conf=/etc/pve/ceph.conf:id=admin:keyring=/etc/pve/priv/ceph/ceph-vm.keyring"


def test_an_rbd_volume_without_krbd_is_a_valid_target_and_never_a_source():
    # PVE gives an RBD volume on a storage without krbd as an `rbd:` address, which its own QEMU opens with the
    # rbd driver; refusing it would fail the copy after the source was stopped.
    assert convert_argv(NodePath("/d.vmdk"), Target(RBD))[-1] == RBD
    assert compare_argv(NodePath("/d.vmdk"), Target(RBD))[-1] == RBD
    assert info_argv(Target(RBD))[-1] == RBD
    with pytest.raises(ValueError):
        convert_argv(NodePath(RBD), Target("/t.raw"))
    for bad in ("rbd:-pool/x", "rbd:pool", "rbd:pool/x y", "rbd:pool/x\nid=1"):
        with pytest.raises(ValueError):
            convert_argv(NodePath("/d.vmdk"), Target(bad))


def test_the_node_qemu_img_reads_an_rbd_address_with_its_rbd_driver():
    # No Ceph cluster here: qemu-img must get as far as connecting, which proves it parsed the address as RBD.
    address = "rbd:pool/vm-1000-disk-0:mon_host=127.0.0.1\\:1:client_mount_timeout=2:rados_mon_op_timeout=2"
    done = subprocess.run(info_argv(Target(address)), capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "error connecting" in done.stderr, done.stderr
