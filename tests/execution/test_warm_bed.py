"""The warm vCenter of the lab (lab/warm) with the execution bed's node: the toolkit's own disk copy, run on the
loopback node over either transport, reads the frozen base VMDK while a snapshot exists and the guest writes,
and reads the guest's writes after the snapshot is removed, as it would on ESXi."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from pyVim.task import WaitForTask

from migrate.execution.disk_copy import DiskCopyJob, copy_disk
from migrate.execution.qemu_img import HttpsFile, NodePath
from tests.lab.warm_bed import bed, pki, raw_of, sim  # noqa: F401 - the fixtures
from tests.support.datastore import datastore_dir
from tests.support.vmdk import MIB, same_bytes

SIZE = 8 * MIB  # the bed's first disk, monolithicSparse


def _source(transport: str, warm, sim, base: Path):
    if transport == "node":
        return NodePath(str(base))
    relative = base.relative_to(datastore_dir(sim)).as_posix()
    query = urlencode({"dcPath": "DC0", "dsName": "LocalDS_0"})
    return HttpsFile(f"https://{warm.host}:{warm.port}/folder/{quote(relative)}?{query}", timeout=30)


@pytest.mark.vcsim
@pytest.mark.parametrize("transport", ["node", "https"])
def test_the_node_copies_the_frozen_base_during_a_snapshot_and_the_merged_base_after(transport, bed, sim, pki, sshd,
                                                                                   node, allocate):
    warm, (d0, d1), vm, bases, tmp = bed
    if transport == "https":
        if sshd.ca_bundle is None:
            pytest.skip("the node can trust the layer's certificate only as root (private mount namespace)")
        sshd.trust(Path(pki[0]))
    (tmp / "before.img").write_bytes(raw_of(bases[0], tmp / "read.img"))
    WaitForTask(vm.CreateSnapshot_Task(name="pass-1", description="", memory=False, quiesce=False))
    snapshot = vm.snapshot.currentSnapshot
    writes = [(0, b"s" * 4096), (SIZE // 2 + 1, b"t" * 70_000), (SIZE - 10, b"u" * 10)]
    for offset, data in writes:
        warm.write_to_running_disk(vm._moId, d0, offset, data)
    job = DiskCopyJob(_source(transport, warm, sim, bases[0]), allocate(130, SIZE), SIZE,
                      cookie='vmware_soap_session="warm"' if transport == "https" else None)
    copy_disk(node, job)
    assert same_bytes(tmp / "before.img", Path(job.target.path), SIZE)
    WaitForTask(snapshot.RemoveSnapshot_Task(removeChildren=False))
    expected = bytearray((tmp / "before.img").read_bytes())
    for offset, data in writes:
        expected[offset:offset + len(data)] = data
    (tmp / "expected.img").write_bytes(bytes(expected))
    copy_disk(node, job.retry())
    assert same_bytes(tmp / "expected.img", Path(job.target.path), SIZE)
    assert not same_bytes(tmp / "before.img", Path(job.target.path), SIZE)
