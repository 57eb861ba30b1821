"""copy_disk on a real node shell: every VMDK subformat from a mounted datastore, and HTTPS sources."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import requests

from migrate.clients.ssh import CommandResult
from migrate.errors import DiskCopyError, DiskCopyHttpError
from migrate.execution.disk_copy import DiskCopyJob, _check, compare_disk, copy_disk, source_allocation
from migrate.execution.qemu_img import HttpsFile, NodePath, Target
from migrate.execution.vmdk_descriptor import https_read
from tests.execution.conftest import BIG_SIZE, SMALL_SIZE
from tests.support.datastore import datastore_dir, folder_url
from tests.support.vmdk import SUBFORMATS, allocated_bytes, data_offsets, make_vmdk, same_bytes


@pytest.mark.parametrize("subformat", SUBFORMATS)
def test_every_subformat_is_copied_from_the_mounted_datastore_byte_for_byte(subformat, big_vmdks, big_raw, node,
                                                                               allocate):
    target = allocate(100, BIG_SIZE)
    fractions = []
    outcome = copy_disk(node, DiskCopyJob(NodePath(str(big_vmdks[subformat])), target, BIG_SIZE),
                        on_progress=fractions.append)
    assert outcome.size == BIG_SIZE
    assert same_bytes(big_raw, target.path, BIG_SIZE)
    assert fractions and fractions[-1] == 1.0 and fractions == sorted(fractions)


def test_compare_after_copy_confirms_the_target(big_vmdks, node, allocate):
    target = allocate(101, BIG_SIZE)
    outcome = copy_disk(node, DiskCopyJob(NodePath(str(big_vmdks["twoGbMaxExtentFlat"])), target, BIG_SIZE),
                        compare=True)
    assert outcome.compared


HOSTILE_DIRS = ["vm 'quoted' \"double\"", "vm $(touch {canary}) `touch {canary}`", "vm; touch {canary} &&", "-rf"]


@pytest.mark.parametrize("directory", HOSTILE_DIRS)
@pytest.mark.parametrize("subformat", ["monolithicSparse", "monolithicFlat"])
def test_hostile_file_names_are_copied_and_never_run(directory, subformat, small_raw, node, allocate, tmp_path):
    canary = tmp_path / "canary"
    folder = tmp_path / "ds" / directory.format(canary=canary)
    folder.mkdir(parents=True)
    # A double quote cannot be written into a descriptor's extent line, so only the folder holds it.
    vmdk = make_vmdk(small_raw, folder / "disk; $(id) it's.vmdk", subformat)
    target = allocate(102, SMALL_SIZE)
    copy_disk(node, DiskCopyJob(NodePath(str(vmdk)), target, SMALL_SIZE), compare=True)
    assert same_bytes(small_raw, target.path, SMALL_SIZE)
    assert not canary.exists()


def test_a_target_that_is_not_zero_is_copied_exactly_without_the_zero_flag(small_raw, tmp_path, node, allocate):
    vmdk = make_vmdk(small_raw, tmp_path / "d.vmdk", "monolithicSparse")
    target = allocate(103, SMALL_SIZE)
    _fill(target.path, SMALL_SIZE, b"\xff")  # a thick LVM volume holding an earlier VM's bytes
    copy_disk(node, DiskCopyJob(NodePath(str(vmdk)), Target(target.path, zeroed=False), SMALL_SIZE))
    assert same_bytes(small_raw, target.path, SMALL_SIZE)


def test_the_zero_flag_on_a_dirty_target_would_leak_old_bytes(small_raw, tmp_path, node, allocate):
    vmdk = make_vmdk(small_raw, tmp_path / "d.vmdk", "monolithicSparse")
    target = allocate(104, SMALL_SIZE)
    _fill(target.path, SMALL_SIZE, b"\xff")
    copy_disk(node, DiskCopyJob(NodePath(str(vmdk)), target, SMALL_SIZE))
    assert not same_bytes(small_raw, target.path, SMALL_SIZE)  # why retry() drops the flag


def test_retry_drops_the_zero_flag():
    job = DiskCopyJob(NodePath("/d.vmdk"), Target("/t.raw", zeroed=True), 1)
    assert job.retry().target.zeroed is False and job.target.zeroed is True


def test_missing_source_fails_naming_it(node, allocate, tmp_path):
    target = allocate(105, SMALL_SIZE)
    with pytest.raises(DiskCopyError, match=r"reading the source .*nope\.vmdk failed on node .* No such file"):
        copy_disk(node, DiskCopyJob(NodePath(str(tmp_path / "nope.vmdk")), target, SMALL_SIZE))


def test_missing_target_volume_fails_and_nothing_is_created(small_raw, node, tmp_path):
    vmdk = make_vmdk(small_raw, tmp_path / "d.vmdk", "monolithicSparse")
    missing = tmp_path / "store" / "vm-106-disk-0.raw"
    with pytest.raises(DiskCopyError, match="reading the target"):
        copy_disk(node, DiskCopyJob(NodePath(str(vmdk)), Target(str(missing)), SMALL_SIZE))
    assert not missing.exists()


def test_a_target_smaller_than_the_source_is_refused(small_raw, node, allocate, tmp_path):
    vmdk = make_vmdk(small_raw, tmp_path / "d.vmdk", "monolithicSparse")
    target = allocate(107, SMALL_SIZE // 2)
    with pytest.raises(DiskCopyError, match="less than the source's"):
        copy_disk(node, DiskCopyJob(NodePath(str(vmdk)), target, SMALL_SIZE))


def test_a_source_whose_size_differs_from_the_plan_is_refused(small_raw, node, allocate, tmp_path):
    vmdk = make_vmdk(small_raw, tmp_path / "d.vmdk", "monolithicSparse")
    target = allocate(108, SMALL_SIZE)
    with pytest.raises(DiskCopyError, match="changed since planning"):
        copy_disk(node, DiskCopyJob(NodePath(str(vmdk)), target, SMALL_SIZE - 1024))


def _fill(path, size: int, byte: bytes) -> None:
    with open(path, "r+b") as volume:
        for offset in range(0, size, 1 << 20):
            volume.write(byte * min(1 << 20, size - offset))


@pytest.fixture(scope="module")
def vcsim_images(vcsim, small_raw):
    """The small image in the simulator's datastore as monolithicSparse, streamOptimized and monolithicFlat."""
    folder = datastore_dir(vcsim) / "VM one (copy)"
    folder.mkdir()
    for subformat in ("monolithicSparse", "streamOptimized", "monolithicFlat"):
        make_vmdk(small_raw, folder / f"{subformat}.vmdk", subformat)
    yield "VM one (copy)"
    shutil.rmtree(folder)


@pytest.mark.vcsim
@pytest.mark.parametrize("subformat", ["monolithicSparse", "streamOptimized", "monolithicFlat"])
def test_https_datastore_copy_is_identical_with_tls_verified(subformat, vcsim, vcsim_images, sshd, node, allocate,
                                                             small_raw):
    if sshd.ca_bundle is None:
        pytest.skip("the node can trust the simulator's CA only as root (private mount namespace)")
    # As the executor will: read the head of the .vmdk, then open what https_read says.
    head = requests.get(folder_url(vcsim, f"{vcsim_images}/{subformat}.vmdk"), headers={"Range": "bytes=0-65535"},
                        verify=str(vcsim.ca_file), timeout=30).content
    read = https_read(f"{vcsim_images}/{subformat}.vmdk", head)
    assert read.flat is (subformat == "monolithicFlat")
    target = allocate(110, SMALL_SIZE)
    source = HttpsFile(folder_url(vcsim, read.path), flat=read.flat, timeout=30)
    fractions = []
    job = DiskCopyJob(source, target, SMALL_SIZE, cookie="vmware_soap_session=\"abc\"")
    moved = source_allocation(node, job)
    copy_disk(node, job, on_progress=fractions.append, compare=True)
    assert same_bytes(small_raw, target.path, SMALL_SIZE)
    assert fractions[-1] == 1.0
    # Over HTTPS a sparse VMDK's grains are known; a -flat.vmdk has no holes to see and is read whole.
    assert moved == (SMALL_SIZE if read.flat else allocated_bytes(datastore_dir(vcsim) / vcsim_images / f"{subformat}.vmdk"))


@pytest.mark.vcsim
def test_compare_over_https_finds_one_changed_byte_in_the_copy(vcsim, vcsim_images, sshd, node, allocate):
    if sshd.ca_bundle is None:
        pytest.skip("the node can trust the simulator's CA only as root (private mount namespace)")
    target = allocate(111, SMALL_SIZE)
    source = HttpsFile(folder_url(vcsim, f"{vcsim_images}/monolithicSparse.vmdk"), timeout=30)
    job = DiskCopyJob(source, target, SMALL_SIZE, cookie="vmware_soap_session=\"abc\"")
    copy_disk(node, job)
    compare_disk(node, job)  # identical: no error
    with open(target.path, "r+b") as volume:
        volume.seek(SMALL_SIZE // 2)
        byte = volume.read(1)
        volume.seek(SMALL_SIZE // 2)
        volume.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(DiskCopyError, match="differs from https://"):
        compare_disk(node, job)


@pytest.mark.vcsim
def test_a_hostile_name_is_read_over_https(vcsim, small_raw, node, allocate, sshd, tmp_path):
    if sshd.ca_bundle is None:
        pytest.skip("the node can trust the simulator's CA only as root (private mount namespace)")
    canary = tmp_path / "canary"
    relative = f"x'; touch {canary} #/50%off&dsName=evil $(touch {canary}).vmdk"
    (datastore_dir(vcsim) / relative).parent.mkdir(parents=True)
    make_vmdk(small_raw, datastore_dir(vcsim) / relative, "monolithicSparse")
    target = allocate(111, SMALL_SIZE)
    copy_disk(node, DiskCopyJob(HttpsFile(folder_url(vcsim, relative), timeout=30), target, SMALL_SIZE))
    assert same_bytes(small_raw, target.path, SMALL_SIZE)
    assert not canary.exists()


def test_an_untrusted_certificate_is_refused_unless_verification_is_off(served_pve, node, allocate):
    # fakepve's self-signed certificate is not in the node's trust store.
    target = allocate(112, SMALL_SIZE)
    source = HttpsFile(f"{served_pve.url}/folder/d.vmdk?dsName=ds", timeout=10)
    with pytest.raises(DiskCopyError, match="certificate"):
        copy_disk(node, DiskCopyJob(source, target, SMALL_SIZE))
    with pytest.raises(DiskCopyError) as unverified:
        copy_disk(node, DiskCopyJob(HttpsFile(source.url, verify_tls=False, timeout=10), target, SMALL_SIZE))
    assert "certificate" not in str(unverified.value)


def test_retry_marks_the_job_resumed_so_leftover_writers_are_looked_for():
    job = DiskCopyJob(NodePath("/d.vmdk"), Target("/t.raw", zeroed=True), 1)
    assert job.retry().resumed is True and job.resumed is False


OPEN_FAILED = ("qemu-img: Could not open 'json:{\"driver\":\"raw\",\"file\":{\"driver\":\"https\",\"url\":"
               "\"https://vc/folder/a-flat.vmdk?dcPath=DC0&dsName=ds\"}}': CURL: Error opening file: The requested "
               "URL returned error: {status}")
READ_FAILED = ("qemu-img: curl: The requested URL returned error: {status}\n"
               "qemu-img: error while reading at byte 0: Input/output error")


@pytest.mark.parametrize("said", [OPEN_FAILED, READ_FAILED], ids=["opening", "reading"])
@pytest.mark.parametrize("status, transient", [(503, True), (500, True), (429, True), (404, False), (403, False),
                                               (401, False), (400, False)])
def test_an_http_error_qemu_img_printed_is_named_and_retried_only_for_server_errors_and_429(said, status, transient):
    class Shell:
        address = type("Address", (), {"label": "pve1"})()

    result = CommandResult(1, "", said.replace("{status}", str(status)))
    with pytest.raises(DiskCopyHttpError) as failure:
        _check(result, Shell(), "qemu-img convert of https://vc/folder/a-flat.vmdk?dcPath=DC0&dsName=ds into /v")
    assert failure.value.status == status and failure.value.transient is transient
    assert f"the vCenter answered HTTP {status}" in str(failure.value)
    assert "https://vc/folder/a-flat.vmdk?dcPath=DC0&dsName=ds" in str(failure.value)


def test_a_failure_without_an_http_status_is_not_retried():
    class Shell:
        address = type("Address", (), {"label": "pve1"})()

    with pytest.raises(DiskCopyError) as failure:
        _check(CommandResult(1, "", "qemu-img: Could not open '/x': No such file or directory"), Shell(), "reading")
    assert not isinstance(failure.value, DiskCopyHttpError) and not failure.value.transient


def test_a_copy_into_a_qcow2_volume_is_compared_with_its_source(small_raw, node, allocate, tmp_path):
    vmdk = tmp_path / "q.vmdk"
    make_vmdk(small_raw, vmdk, "monolithicSparse")
    target = allocate(141, SMALL_SIZE, "qcow2")
    outcome = copy_disk(node, DiskCopyJob(NodePath(str(vmdk)), target, SMALL_SIZE), compare=True)
    assert outcome.compared
    compare_disk(node, DiskCopyJob(NodePath(str(vmdk)), target, SMALL_SIZE))


@pytest.mark.parametrize("volume_format", ["raw", "qcow2"])
@pytest.mark.parametrize("subformat", SUBFORMATS)
def test_the_bytes_a_copy_moves_are_the_sources_data_and_what_the_target_volume_holds(subformat, volume_format,
                                                                                      small_raw, node, allocate,
                                                                                      tmp_path):
    vmdk = make_vmdk(small_raw, tmp_path / "m.vmdk", subformat)
    target = allocate(150, SMALL_SIZE, volume_format)
    job = DiskCopyJob(NodePath(str(vmdk)), target, SMALL_SIZE)
    moved = source_allocation(node, job)
    copy_disk(node, job)
    data = sum(length for _, length in data_offsets(SMALL_SIZE))
    held = allocated_bytes(target.path, volume_format)  # the test's own qemu-img map of the volume
    assert data <= moved < SMALL_SIZE  # the data, rounded up to the format's grains; not the virtual size
    assert abs(moved - held) <= 0.1 * held, (moved, held)


def test_a_source_qemu_img_cannot_map_leaves_the_bytes_moved_unknown(node, allocate, tmp_path):
    job = DiskCopyJob(NodePath(str(tmp_path / "gone.vmdk")), allocate(151, SMALL_SIZE), SMALL_SIZE)
    assert source_allocation(node, job) is None
