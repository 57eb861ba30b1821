"""copy_disk when things go wrong: the cookie stays off command lines, a dropped SSH connection mid-copy."""

from __future__ import annotations

import dataclasses
import glob
import os
import secrets
import signal
import subprocess
import time

import pytest

from migrate.clients.ssh import NodeShell
from migrate.errors import DiskCopyError, DiskCopyHttpError, DiskCopyStalledError, NodeConnectionLostError
from migrate.execution.disk_copy import DiskCopyJob, copy_disk, stale_writers, stop_stale_writers
from migrate.execution.qemu_img import HttpsFile, convert_argv
from tests.support.processes import CmdlineSampler, sshd_session_running
from tests.support.rangeserver import RangeServer
from tests.support.vmdk import MIB, make_raw, make_vmdk, same_bytes

pytestmark = pytest.mark.usefixtures("trusting_node")

DATA_SIZE = 16 * MIB


@pytest.fixture
def trusting_node(sshd):
    if sshd.ca_bundle is None:
        pytest.skip("the node can trust the test server's CA only as root (private mount namespace)")


@pytest.fixture
def served(tmp_path, range_pki):
    """A slow recording HTTPS server over a directory holding d.vmdk (sparse) and full.raw (all random)."""
    root = tmp_path / "ds"
    root.mkdir()
    raw = make_raw(root / "full.raw", DATA_SIZE, seed=9)
    with open(raw, "r+b") as image:
        image.write(os.urandom(DATA_SIZE))
    make_vmdk(raw, root / "d.vmdk", "monolithicSparse")
    server = RangeServer(root, *range_pki, delay=0.05)
    yield server, raw
    server.stop()


def test_the_cookie_reaches_the_server_but_no_command_line(served, node, allocate):
    server, raw = served
    cookie = "vmware_soap_session=" + secrets.token_hex(16)
    target = allocate(120, DATA_SIZE)
    before = set(glob.glob("/tmp/migrate-cookie.*"))
    with CmdlineSampler(cookie.split("=", 1)[1]) as sampler:
        copy_disk(node, DiskCopyJob(HttpsFile(server.url("d.vmdk"), timeout=30), target, DATA_SIZE, cookie=cookie))
    assert len(sampler.qemu_img_seen) >= 2  # info and convert, at least, were watched running
    assert sampler.hits == []
    assert set(server.cookies) == {cookie}
    assert same_bytes(raw, target.path, DATA_SIZE)
    assert set(glob.glob("/tmp/migrate-cookie.*")) == before  # no secret file was ever written


def test_a_failed_https_copy_names_the_url_but_never_the_cookie(served, node, allocate):
    server, _ = served
    cookie = "vmware_soap_session=" + secrets.token_hex(16)
    with pytest.raises(DiskCopyError) as failure:
        copy_disk(node, DiskCopyJob(HttpsFile(server.url("missing.vmdk"), timeout=30), allocate(121, DATA_SIZE),
                                    DATA_SIZE, cookie=cookie))
    assert "missing.vmdk" in str(failure.value)
    assert cookie.split("=", 1)[1] not in str(failure.value)
    # qemu-img said "CURL: Error opening file: The requested URL returned error: 404": not worth trying again.
    assert isinstance(failure.value, DiskCopyHttpError) and failure.value.status == 404
    assert "HTTP 404" in str(failure.value) and not failure.value.transient


def _session_process_of(target_path: str, listener: int) -> int:
    """The sshd child serving the connection whose qemu-img writes `target_path`."""
    return sshd_session_running(listener, lambda words: words[0] == b"qemu-img" and target_path.encode() in words)


def test_a_dropped_connection_mid_copy_is_typed_and_a_retry_copies_the_disk_again(served, sshd, node,
                                                                                   node_address, allocate):
    server, raw = served
    target = allocate(122, DATA_SIZE)
    job = DiskCopyJob(HttpsFile(server.url("full.raw"), flat=True, timeout=30), target, DATA_SIZE)
    fractions, killed = [], []

    def on_progress(fraction: float) -> None:
        fractions.append(fraction)
        if 0.2 <= fraction < 1 and not killed:
            session = _session_process_of(target.path, sshd.process.pid)
            os.kill(session, signal.SIGKILL)
            killed.append(session)

    with pytest.raises(NodeConnectionLostError, match=rf"node {sshd.host}:{sshd.port} dropped while qemu-img"):
        copy_disk(node, job, on_progress=on_progress)
    assert killed and max(fractions) < 1
    with NodeShell.connect(node_address) as again:
        copy_disk(again, job.retry(), compare=True)
        assert stale_writers(again, target) == []
    assert same_bytes(raw, target.path, DATA_SIZE)


def test_a_resumed_copy_first_stops_the_earlier_qemu_img_still_writing_the_volume(served, node, allocate):
    server, raw = served
    target = allocate(123, DATA_SIZE)
    job = DiskCopyJob(HttpsFile(server.url("full.raw"), flat=True, timeout=30), target, DATA_SIZE)
    # The writer an earlier, interrupted attempt left behind (the node is this machine), slowed so that it is
    # still writing when the retry starts.
    server.delay = 0.5
    leftover = subprocess.Popen(convert_argv(dataclasses.replace(job.source, verify_tls=False), target),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while stale_writers(node, target) != [leftover.pid] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stale_writers(node, target) == [leftover.pid]
        server.delay = 0.05
        copy_disk(node, job.retry())
        assert leftover.wait(timeout=10) == -signal.SIGTERM
    finally:
        if leftover.poll() is None:
            leftover.kill()
            leftover.wait()
    assert same_bytes(raw, target.path, DATA_SIZE)


def test_a_stalled_copy_is_stopped_on_the_node_and_reported(served, node, allocate):
    server, _ = served
    target = allocate(124, DATA_SIZE)
    job = DiskCopyJob(HttpsFile(server.url("full.raw"), flat=True, timeout=60), target, DATA_SIZE)

    def on_progress(fraction: float) -> None:
        server.delay = 20  # the source stops answering once the copy is under way

    with pytest.raises(DiskCopyStalledError, match=r"stalled: qemu-img .* wrote nothing for 1 s"):
        copy_disk(node, job, on_progress=on_progress, stall_timeout=1)
    assert stale_writers(node, target) == []


def test_a_connection_dropped_mid_copy_leaves_no_secret_on_the_node(served, sshd, node, allocate, node_address):
    server, _ = served
    target = allocate(125, DATA_SIZE)
    cookie = "vmware_soap_session=" + secrets.token_hex(16)
    job = DiskCopyJob(HttpsFile(server.url("full.raw"), flat=True, timeout=30), target, DATA_SIZE, cookie=cookie)

    def on_progress(fraction: float) -> None:
        if fraction > 0:
            try:
                os.kill(_session_process_of(target.path, sshd.process.pid), signal.SIGKILL)
            except LookupError:
                pass

    before = set(glob.glob("/tmp/migrate-cookie.*"))
    with pytest.raises(NodeConnectionLostError):
        copy_disk(node, job, on_progress=on_progress)
    # The cookie went to qemu-img's stdin: nothing on the node's disk holds it after a crash.
    assert set(glob.glob("/tmp/migrate-cookie.*")) - before == set()
    assert _files_holding(cookie.encode(), "/tmp") == []
    with NodeShell.connect(node_address) as again:
        stop_stale_writers(again, target)
        assert stale_writers(again, target) == []


def _files_holding(secret: bytes, top: str) -> list[str]:
    """The regular files below `top` (small ones, as a secret file would be) whose bytes hold `secret`."""
    found = []
    for folder, _, names in os.walk(top):
        for name in names:
            path = os.path.join(folder, name)
            try:
                if os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) < 65536:
                    with open(path, "rb") as handle:
                        if secret in handle.read():
                            found.append(path)
            except OSError:
                continue
    return found
