"""The executor's test bed: a real sshd on loopback as the node's shell, fakepve with real volume files,
VMDKs in every subformat made by qemu-img, and the vCenter simulator's datastore served over HTTPS.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from migrate.clients.ssh import NodeAddress, NodeShell
from tests.support.realdirpve import RealDirPve, ServedPve
from tests.support.sshd import start_sshd
from tests.support.vmdk import GIB, MIB, SUBFORMATS, make_raw, make_vmdk

# Larger than 2 GiB so that the twoGbMaxExtent* subformats have two extents and data across the boundary.
BIG_SIZE = 2 * GIB + 4 * MIB
# Small enough for the simulator's HTTPS file route, which is slower than a local file.
SMALL_SIZE = 64 * MIB


def _need(*commands: str) -> None:
    missing = [c for c in commands if shutil.which(c) is None and not Path(c).exists()]
    if missing:
        pytest.fail(f"the executor tests need {missing}: apt-get install openssh-server openssh-client "
                    "qemu-utils qemu-block-extra (see docs/executor-testbed.md)")


@pytest.fixture(scope="session")
def sshd(tmp_path_factory):
    """A real OpenSSH server on loopback, standing in for a Proxmox node's shell."""
    _need("/usr/sbin/sshd", "ssh-keygen", "qemu-img")
    # As root the node gets a CA bundle of its own, so HTTPS tests can verify the simulator's certificate.
    server = start_sshd(tmp_path_factory.mktemp("sshd"), private_trust=os.geteuid() == 0)
    yield server
    server.stop()


@pytest.fixture
def node_address(sshd) -> NodeAddress:
    """How to log in to the loopback node, with its host key in known_hosts."""
    return NodeAddress(sshd.host, sshd.port, sshd.username, sshd.client_key, sshd.known_hosts)


@pytest.fixture
def node(node_address):
    """An open NodeShell to the loopback node."""
    with NodeShell.connect(node_address) as shell:
        yield shell


@pytest.fixture(scope="session")
def big_raw(tmp_path_factory) -> Path:
    """A sparse raw image of 2 GiB + 4 MiB with random data at the start, mid-way, across 2 GiB and at the end."""
    return make_raw(tmp_path_factory.mktemp("images") / "big.raw", BIG_SIZE)


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory) -> Path:
    """A sparse raw image of 64 MiB with random data at the start, mid-way and at the end."""
    return make_raw(tmp_path_factory.mktemp("images") / "small.raw", SMALL_SIZE, seed=7)


@pytest.fixture(scope="session")
def big_vmdks(big_raw, tmp_path_factory) -> dict[str, Path]:
    """The big raw image as a VMDK in each of the five subformats, each in its own directory."""
    out = {}
    for subformat in SUBFORMATS:
        directory = tmp_path_factory.mktemp(subformat)
        out[subformat] = make_vmdk(big_raw, directory / "disk1.vmdk", subformat)
    return out


@pytest.fixture
def served_pve(tmp_path, fakepve_cafile, _fakepve_pki):
    """RealDirPve served in-process, with a `dir` storage `tgt` whose allocated volumes are real files."""
    pve = RealDirPve(user="root@pam", password="secret", host="127.0.0.1", port=0)
    pve.time_scale = 0
    serving = ServedPve(pve, *_fakepve_pki)
    pve.storages["tgt"] = {"type": "dir", "path": str(tmp_path / "pve-store"), "content": "images",
                           "active": 1, "files": set(), "volumes": {}}
    yield pve
    serving.stop()


@pytest.fixture
def pve(served_pve, fakepve_cafile):
    """A proxmoxer client of `served_pve` as root@pam."""
    from proxmoxer import ProxmoxAPI

    return ProxmoxAPI(served_pve.host, port=served_pve.port, user="root@pam", password="secret",
                      verify_ssl=fakepve_cafile, timeout=30)


@pytest.fixture(scope="session")
def vcsim(sshd):
    """The vCenter simulator, whose certificate the node trusts (when the node has a trust store of its own)."""
    from lab.vcsim import start_vcsim

    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 1, "ds": 1}) as sim:
        if sshd.ca_bundle is not None:
            sshd.trust(sim.ca_file)
        yield sim


@pytest.fixture(scope="session")
def range_pki(tmp_path_factory, sshd):
    """A certificate for the recording range server, trusted by the node."""
    from fakepve.certs import make_cert

    certfile, keyfile, _ = make_cert(str(tmp_path_factory.mktemp("range-pki")), name="range", hosts=("127.0.0.1",))
    if sshd.ca_bundle is not None:
        sshd.trust(Path(certfile))
    return certfile, keyfile


@pytest.fixture
def allocate(pve):
    """Allocate a volume of at least `size` bytes through the API, and give its path on the node."""
    from migrate.execution.qemu_img import Target

    def allocate(vmid: int, size: int, fmt: str = "raw", disk: int = 0) -> Target:
        storage = pve.nodes("pve1").storage("tgt")
        volid = storage.content.post(vmid=vmid, filename=f"vm-{vmid}-disk-{disk}.{fmt}", size=str(-(-size // 1024)),
                                     format=fmt)
        return Target(storage.content(volid).get()["path"], fmt, zeroed=True)

    return allocate


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """Each execution test works in its own directory: a run on PostgreSQL writes its log into the working
    directory (there is no database file to put it beside), which must never be the checkout."""
    monkeypatch.chdir(tmp_path)
