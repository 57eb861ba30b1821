"""Copying only some areas of a disk into its volume on the node (the later passes of a warm copy): over the loopback
node, from a VMDK of each running subformat, every other byte of the volume left as it was."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from migrate.errors import DiskCopyError
from migrate.execution.extent_copy import copy_extents
from migrate.execution.qemu_img import HttpsFile, NodePath, Target, blockdev
from tests.support.vmdk import MIB, make_vmdk

SIZE = 8 * MIB


@pytest.mark.parametrize("subformat", ["monolithicSparse", "monolithicFlat"])
def test_only_the_given_areas_of_the_volume_take_the_disks_bytes(subformat, node, allocate, tmp_path):
    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(SIZE))
    source = NodePath(str(make_vmdk(raw, tmp_path / "disk.vmdk", subformat)))
    target = allocate(140, SIZE)
    volume = Path(target.path)
    volume.write_bytes(b"\x07" * SIZE)  # what an earlier pass wrote
    areas = [(0, 65536), (3 * MIB + 65536, 2 * 65536), (SIZE - 65536, 65536)]
    assert copy_extents(node, source, target, areas) == 4 * 65536
    expected = bytearray(b"\x07" * SIZE)
    disk = raw.read_bytes()
    for start, length in areas:
        expected[start:start + length] = disk[start:start + length]
    assert volume.read_bytes() == bytes(expected)


def test_a_flat_extent_is_read_as_raw_bytes_and_a_sparse_disk_by_qemu(node, tmp_path):
    from migrate.execution.extent_copy import flat_extent

    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(MIB))
    flat = NodePath(str(make_vmdk(raw, tmp_path / "f.vmdk", "monolithicFlat")))
    sparse = NodePath(str(make_vmdk(raw, tmp_path / "s.vmdk", "monolithicSparse")))
    assert flat_extent(node, flat) == str(tmp_path / "f-flat.vmdk")
    assert flat_extent(node, sparse) is None and flat_extent(node, NodePath(str(tmp_path / "gone.vmdk"))) is None


def test_a_node_without_perl_copies_a_flat_extents_areas_with_qemu_img(node, allocate, tmp_path, monkeypatch):
    from migrate.execution import extent_copy

    monkeypatch.setattr(extent_copy, "PERL", "no-such-perl")
    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(SIZE))
    target = allocate(144, SIZE)
    areas = [(65536, 65536), (5 * MIB, 3 * 65536)]
    assert copy_extents(node, NodePath(str(make_vmdk(raw, tmp_path / "f.vmdk", "monolithicFlat"))), target,
                        areas) == 4 * 65536
    copied, disk = Path(target.path).read_bytes(), raw.read_bytes()
    assert all(copied[s:s + n] == disk[s:s + n] for s, n in areas) and copied[:65536] == bytes(65536)


def test_areas_are_copied_in_batches(node, allocate, tmp_path, monkeypatch):
    from migrate.execution import extent_copy

    monkeypatch.setattr(extent_copy, "BATCH", 2)
    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(SIZE))
    target = allocate(141, SIZE)
    areas = [(n * MIB, 4096) for n in range(5)]
    assert copy_extents(node, NodePath(str(make_vmdk(raw, tmp_path / "s.vmdk", "monolithicSparse"))), target,
                        areas) == 5 * 4096
    copied, disk = Path(target.path).read_bytes(), raw.read_bytes()
    assert all(copied[s:s + n] == disk[s:s + n] for s, n in areas)


def test_an_area_beyond_the_disk_fails_naming_it(node, allocate, tmp_path):
    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(SIZE))
    source = NodePath(str(make_vmdk(raw, tmp_path / "s.vmdk", "monolithicSparse")))
    with pytest.raises(DiskCopyError, match=f"from byte {SIZE}"):
        copy_extents(node, source, allocate(142, SIZE), [(SIZE, 65536)])


@pytest.mark.parametrize("image, expected", [
    (NodePath("/mnt/ds/vm/vm.vmdk"), {"driver": "vmdk", "file": {"driver": "file", "filename": "/mnt/ds/vm/vm.vmdk"}}),
    (Target("/var/lib/vz/images/1/vm-1-migrate-scsi0.raw"),
     {"driver": "file", "filename": "/var/lib/vz/images/1/vm-1-migrate-scsi0.raw"}),
    (HttpsFile("https://vc/folder/x-flat.vmdk?dsName=ds", flat=True, cookie_on_stdin=True, readahead=0),
     {"driver": "raw", "file": {"driver": "https", "url": "https://vc/folder/x-flat.vmdk?dsName=ds", "sslverify": True,
                                "timeout": 60, "readahead": 0, "cookie-secret": "migrate-cookie"}}),
    (Target("/dev/pve/vm-1-migrate-scsi0"), {"driver": "host_device", "filename": "/dev/pve/vm-1-migrate-scsi0"}),
    (Target("/x/vm-1-migrate-scsi0.qcow2", "qcow2"),
     {"driver": "qcow2", "file": {"driver": "file", "filename": "/x/vm-1-migrate-scsi0.qcow2"}}),
])
def test_a_disk_and_a_volume_open_as_block_nodes_of_their_format(image, expected):
    assert blockdev(image) == expected


@pytest.mark.parametrize("image", [Target("rbd:pool/vm-1-disk-0"), NodePath("relative/x.vmdk")])
def test_what_cannot_be_opened_by_path_on_the_node_is_refused(image):
    with pytest.raises(ValueError):
        blockdev(image)


def _loops_running(volume: str) -> list[int]:
    """The node's extent loops writing `volume` (the loopback node's processes are this machine's)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            words = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        loop = (words[:2] == [b"sh", b"-c"] and b"shift 2" in words[2]) or words[:2] == [b"perl", b"-e"]
        if loop and any(volume.encode() in w for w in words):  # not the stale-writer scan, also an `sh -c`
            found.append(int(proc.name))
    return found


def test_the_nodes_loop_ends_when_the_controllers_connection_goes(node_address, allocate, tmp_path):
    import threading
    import time

    from migrate.clients.ssh import NodeShell

    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(SIZE))
    source = NodePath(str(make_vmdk(raw, tmp_path / "s.vmdk", "monolithicSparse")))  # qemu-img's loop
    target = allocate(143, SIZE)
    areas = [(n * 4096 % SIZE, 4096) for n in range(3000)]  # some seconds of work
    shell = NodeShell.connect(node_address)
    errors = []
    thread = threading.Thread(target=lambda: _catch(errors, copy_extents, shell, source, target, areas), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not _loops_running(target.path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _loops_running(target.path), f"the loop never started: {errors}"
    shell.close()  # the controller dies
    deadline = time.monotonic() + 5
    while _loops_running(target.path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _loops_running(target.path) == []
    thread.join(10)
    assert errors  # the copy did not end as done


def _catch(errors: list, call, *args) -> None:
    try:
        call(*args)
    except Exception as exc:  # noqa: BLE001 - the test looks at it
        errors.append(exc)


def test_a_rate_limit_holds_the_copy_of_a_flat_extents_areas_to_it(node, allocate, tmp_path):
    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(SIZE))
    target = allocate(145, SIZE)
    areas = [(n * 2 * 262144, 262144) for n in range(16)]  # 4 MiB in 16 areas, every other 256 KiB
    started = time.monotonic()
    assert copy_extents(node, NodePath(str(make_vmdk(raw, tmp_path / "f.vmdk", "monolithicFlat"))), target, areas,
                        rate=2 * MIB) == 4 * MIB
    seconds = time.monotonic() - started
    assert 2.0 <= seconds <= 2.0 / 0.8, seconds  # never faster than the limit; near it (an SSH command around it)
    copied, disk = Path(target.path).read_bytes(), raw.read_bytes()
    assert all(copied[s:s + n] == disk[s:s + n] for s, n in areas)


def test_a_rate_limit_reaches_each_qemu_img_of_the_loop(node, allocate, tmp_path, monkeypatch):
    from migrate.execution import extent_copy

    monkeypatch.setattr(extent_copy, "PERL", "no-such-perl")
    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(SIZE))
    target = allocate(146, SIZE)
    areas = [(65536, 65536), (5 * MIB, 3 * 65536)]
    seen = []
    real_run = node.run
    monkeypatch.setattr(node, "run", lambda argv, **kw: seen.append(argv) or real_run(argv, **kw))
    assert copy_extents(node, NodePath(str(make_vmdk(raw, tmp_path / "f.vmdk", "monolithicFlat"))), target, areas,
                        rate=3 * MIB) == 4 * 65536
    assert any(f"convert -r {3 * MIB} -n" in word for argv in seen for word in argv)
    copied, disk = Path(target.path).read_bytes(), raw.read_bytes()
    assert all(copied[s:s + n] == disk[s:s + n] for s, n in areas)


def test_a_rate_limit_is_held_over_the_whole_copy_not_within_each_batch(node, allocate, tmp_path, monkeypatch):
    from migrate.execution import extent_copy

    monkeypatch.setattr(extent_copy, "BATCH", 4)
    raw = tmp_path / "disk.raw"
    raw.write_bytes(os.urandom(SIZE))
    target = allocate(147, SIZE)
    areas = [(n * 2 * 262144, 262144) for n in range(16)]  # 4 batches of 1 MiB
    seen = []
    real_run = node.run
    monkeypatch.setattr(node, "run", lambda argv, **kw: seen.append(argv) or real_run(argv, **kw))
    started = time.monotonic()
    assert copy_extents(node, NodePath(str(make_vmdk(raw, tmp_path / "f.vmdk", "monolithicFlat"))), target, areas,
                        rate=2 * MIB) == 4 * MIB
    assert time.monotonic() - started >= 2.0  # never faster than the limit
    paces = [argv[5:8] for argv in seen if argv[0] == "perl"]
    # Each batch starts from the bytes and the time of the earlier ones: their SSH commands are not lost to it.
    assert [(int(rate), int(copied)) for rate, copied, _ in paces] == [(2 * MIB, n * MIB) for n in range(4)]
    seconds = [float(s) for _, _, s in paces]
    assert seconds[0] == 0 and all(spent >= 0.5 * n for n, spent in enumerate(seconds))
    copied, disk = Path(target.path).read_bytes(), raw.read_bytes()
    assert all(copied[s:s + n] == disk[s:s + n] for s, n in areas)


def test_a_paced_copy_that_fell_behind_catches_up_by_one_second_at_most():
    from migrate.execution.extent_copy import CATCH_UP, Pace

    on_time = Pace(2 * MIB, copied=4 * MIB, seconds=2.3)  # 0.3 s lost to the batches' SSH commands: made up
    late = Pace(2 * MIB, copied=4 * MIB, seconds=9.0)  # a slow source: no burst of 7 s at full speed after it
    assert on_time.args() == [str(2 * MIB), str(4 * MIB), "2.300000"]
    assert late.args() == [str(2 * MIB), str(4 * MIB), f"{2.0 + CATCH_UP:.6f}"]
    assert Pace(0, copied=4 * MIB, seconds=9.0).args()[2] == "9.000000"  # no limit: nothing to pace
