"""A simulated Proxmox VE cluster for the demo: fakepve in-process, shaped as the sample mappings expect.

Three nodes of 256 GiB, shared `ceph-vm` (RBD) and `nfs-bulk` (NFS) storages, VLAN-aware bridges vmbr0-vmbr2 on
every node, and the toolkit's API token, served over HTTPS with its own CA. fakepve comes with the test extra
(`pip install -e '.[test]'`, which `make demo` runs); its node figures and bridges are internal shapes, so the
version is pinned in pyproject.toml.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.errors import UsageError

NODES = ("pve1", "pve2", "pve3")
BRIDGES = ("vmbr0", "vmbr1", "vmbr2")
TOKEN_ID = "migrate@pve!demo"
NETWORK_SHAPE = "/nodes/{node}/network"  # fakepve's canned answer: only vmbr0, so the lab's bridges replace it
GIB = 1024**3
START_TIMEOUT = 30

# The demo's steps after discovery and readiness: the target, wave 1 and its plan and runbook.
DEMO_WAVE = ("--folder", "/DC-East/vm/Prod/Web")


@dataclass(frozen=True)
class SimulatedTarget:
    host: str
    port: int
    token_id: str
    secret: str = field(repr=False)
    ca_file: Path
    simulator: Any = field(default=None, repr=False, compare=False)  # the FakePve serving it, in this process

    def volume_file(self, volid: str) -> tuple[Path, str]:
        """The file holding a volume of the simulated cluster, and its format (raw, qcow2), as the simulator
        itself keeps them: a check independent of the toolkit's API client."""
        storage, volname = volid.split(":", 1)
        volume = self.simulator.storages[storage]["volumes"][volname]
        return Path(self.simulator._volume_path(storage, volname, "images")), str(volume["format"])

    def steps(self, name: str = "pve-lab", runbook: str = "wave-1.md", ssh: tuple[str, ...] = (),
              node_addresses: dict[str, str] | None = None) -> list[list[str]]:
        """The `migrate` commands that add, discover and check this target, then plan wave 1 and write its runbook.

        `ssh` adds the node shell options to `target add` (--ssh-user, --ssh-key, --known-hosts), and
        `node_addresses` (node -> host:port) records where `target check` and `migrate run` reach the nodes.
        """
        addresses = [word for node, address in sorted((node_addresses or {}).items())
                     for word in ("--node-address", f"{node}={address}")]
        return [
            ["target", "add", name, "--api", f"{self.host}:{self.port}", "--token-id", self.token_id,
             "--ca-file", str(self.ca_file), *ssh],
            *([["target", "set", name, *addresses]] if addresses else []),
            ["target", "discover", name],
            ["target", "check", name],
            # The lab's guests have no VMware Tools to shut them down: the wave allows a hard power off.
            ["wave", "create", "1", "--name", "Web tier", *DEMO_WAVE, "--shutdown-timeout", "10", "--allow-power-off"],
            ["plan", "--wave", "1"],
            ["runbook", "--wave", "1", "-o", runbook],
        ]


@contextmanager
def start_simulated_target(workdir: Path | None = None) -> Iterator[SimulatedTarget]:
    """Serve the simulated cluster until the block ends; MIGRATE_PVE_TOKEN_SECRET must be set to `.secret`."""
    try:
        from fakepve.certs import make_cert
    except ModuleNotFoundError:
        raise UsageError("the simulated Proxmox cluster needs fakepve: pip install -e '.[test]'") from None
    from fakepve import shapes

    previous = shapes.FIXUPS.get(NETWORK_SHAPE)
    shapes.FIXUPS[NETWORK_SHAPE] = [shapes.replace(_bridges)]
    try:
        with tempfile.TemporaryDirectory(dir=workdir) as scratch:
            cert, key = make_cert(scratch, hosts=("127.0.0.1",))[:2]
            pve = _cluster(Path(scratch))
            serving = _Serving(pve, cert, key)
            try:
                host, port = pve.url.removeprefix("https://").rsplit(":", 1)
                yield SimulatedTarget(host, int(port), TOKEN_ID, pve.apitokens[TOKEN_ID], Path(cert), pve)
            finally:
                serving.stop()
    finally:
        shapes.FIXUPS[NETWORK_SHAPE] = previous


def _cluster(scratch: Path):
    from fakepve.server import FakePve

    from lab.pve_backup import BackupApi
    from lab.pve_ha import HaApi

    class LabPve(HaApi, BackupApi, FakePve):
        """The lab's storages keep every allocated volume as a real raw file under the scratch directory, the
        RBD pool included (qemu-img on the lab node writes files; a real node would write `rbd:` images); HA
        resources and rules, backup jobs and vzdump archives are kept as PVE keeps them (lab/pve_ha.py,
        lab/pve_backup.py)."""

        # fakepve 0.5.0 has no public hook for where a volume's file is (an RBD volume's path is `rbd:pool/name`),
        # so this overrides its private `_volume_path` and `_content_create`; the version is pinned for that.
        def _volume_path(self, name, volname, vtype):
            if vtype == "images" and self.storages[name].get("type") == "rbd":
                return str(scratch / name / "images" / volname)
            return super()._volume_path(name, volname, vtype)

        async def _content_create(self, v, user):
            volid = await super()._content_create(v, user)
            storage, volname = volid.split(":", 1)
            volume = self.storages[storage]["volumes"][volname]
            path = Path(self._volume_path(storage, volname, "images"))
            path.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["qemu-img", "create", "-q", "-f", volume["format"], str(path), str(volume["size"])],
                           check=True, capture_output=True)
            return volid

        @staticmethod
        def _node_stats(online):
            if not online:
                return {}
            return {"cpu": 0.05, "maxcpu": 64, "mem": 24 * GIB, "maxmem": 256 * GIB, "disk": 8 * GIB,
                    "maxdisk": 128 * GIB, "uptime": 86400}

    pve = LabPve(user="root@pam", password=secrets.token_urlsafe(16), host="127.0.0.1", port=0)
    pve.time_scale = 0
    for node in NODES[1:]:
        pve.add_node(node)
    for name, kind in (("ceph-vm", "rbd"), ("nfs-bulk", "nfs")):
        pve.storages[name] = {"type": kind, "path": str(scratch / name), "content": "images", "active": 1, "shared": 1,
                              "files": set(), "volumes": {}, "total": 20 * 1024 * GIB, "avail": 16 * 1024 * GIB}
    # vzdump writes its archives into the scratch directory too, not fakepve's /var/lib/vz.
    pve.storages["local"]["path"] = str(scratch / "local")
    pve.apitokens[TOKEN_ID] = secrets.token_urlsafe(24)
    return pve


def _bridges(ctx) -> list[dict]:
    return [{"iface": name, "type": "bridge", "active": 1, "autostart": 1, "families": ["inet"], "method": "manual",
             "method6": "manual", "priority": 3, "bridge_ports": f"bond0.{index}", "bridge_vlan_aware": 1}
            for index, name in enumerate(BRIDGES)]


class _Serving:
    """A FakePve on its own event loop in a daemon thread (as fakepve's pytest plugin does, without pytest)."""

    def __init__(self, pve, certfile: str, keyfile: str) -> None:
        self.pve = pve
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="lab-pve", daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(pve.start(certfile, keyfile), self.loop).result(START_TIMEOUT)

    def stop(self) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.pve.stop(), self.loop).result(START_TIMEOUT)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(START_TIMEOUT)
