"""The lab's Proxmox node shell: a real OpenSSH server on loopback, with generated keys and a known_hosts file.

Every node of the simulated cluster is reached at this one server (`migrate run --node-address`), so qemu-img
runs for real on this machine. Needs openssh-server (`make demo` installs the system packages).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from migrate.errors import UsageError

SSHD = "/usr/sbin/sshd"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class LabNode:
    host: str
    port: int
    username: str
    key: Path
    known_hosts: Path


@contextmanager
def start_lab_node(workdir: Path, timeout: float = 10.0) -> Iterator[LabNode]:
    """Serve an sshd on a free loopback port until the block ends."""
    if not Path(SSHD).exists() or shutil.which("ssh-keygen") is None:
        raise UsageError("the lab node needs OpenSSH: apt-get install openssh-server openssh-client")
    workdir.mkdir(parents=True, exist_ok=True)
    host_key, client_key = workdir / "hostkey_ed25519", workdir / "client_ed25519"
    for key in (host_key, client_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    shutil.copy(client_key.with_suffix(".pub"), workdir / "authorized_keys")
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    (workdir / "sshd_config").write_text("\n".join([
        f"ListenAddress {HOST}:{port}", f"HostKey {host_key}", f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {workdir / 'authorized_keys'}", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "UsePAM no", "PermitRootLogin prohibit-password", "StrictModes no",
        "MaxSessions 50", "MaxStartups 50", "",
    ]))
    key_type, key = host_key.with_suffix(".pub").read_text().split()[:2]
    known_hosts = workdir / "known_hosts"
    known_hosts.write_text(f"[{HOST}]:{port} {key_type} {key}\n")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    with open(workdir / "sshd.log", "wb") as log:
        process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(workdir / "sshd_config")], stdout=log, stderr=log)
    try:
        _wait(process, port, timeout, workdir / "sshd.log")
        yield LabNode(HOST, port, getpass.getuser(), client_key, known_hosts)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait(process: subprocess.Popen, port: int, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise UsageError(f"the lab's sshd exited with {process.returncode}: {log.read_text().strip()[-300:]}")
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise UsageError(f"the lab's sshd did not listen on {HOST}:{port} within {timeout:.0f} s")
