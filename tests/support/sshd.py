"""A real OpenSSH server on loopback for tests: generated host and client keys, known_hosts written.

The server stands in for a Proxmox node's shell. Commands run as the user the tests run as (root in CI,
where sshd needs `/run/sshd`), so qemu-img and the files it writes are real.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SSHD = "/usr/sbin/sshd"
HOST = "127.0.0.1"
SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# As root, sshd runs in a private mount namespace where the node gets, without touching the host:
# - a CA bundle of its own in place of the system's (`$1`), so a test can make it trust a CA as an operator would;
# - an empty ~/.bashrc (`$2`): bash sources it for every SSH command, and a developer's (pyenv init here) can
#   cost 0.25 s per command, which a Proxmox node's Debian default does not.
_NAMESPACE = ('mount --bind "$1" ' + str(SYSTEM_BUNDLE) + ' && { [ ! -e "$3" ] || mount --bind "$2" "$3"; } '
              '&& shift 3 && exec "$@"')


@dataclass
class SshServer:
    """A running sshd: where it listens, the client key that logs in, and a known_hosts that trusts it."""

    host: str
    port: int
    username: str
    client_key: Path
    known_hosts: Path
    host_key: Path
    process: subprocess.Popen = field(repr=False)
    ca_bundle: Path | None = None

    def trust(self, ca_file: Path) -> None:
        """Make the node trust a CA, as `update-ca-certificates` would (needs a server with a ca_bundle)."""
        if self.ca_bundle is None:
            raise RuntimeError("this sshd has no trust store of its own (start_sshd(private_trust=True) as root)")
        with open(self.ca_bundle, "a") as bundle:
            bundle.write("\n" + Path(ca_file).read_text())

    def stop(self) -> None:
        """Stop the listener (connections it forked end with their commands)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def write_known_hosts(path: Path, host: str, port: int, public_key_file: Path) -> None:
    """A known_hosts line for `host:port` (bracketed form for a port other than 22) holding that public key."""
    key_type, key = public_key_file.read_text().split()[:2]
    path.write_text(f"[{host}]:{port} {key_type} {key}\n")


def start_sshd(workdir: Path, startup_timeout: float = 10.0, private_trust: bool = False) -> SshServer:
    """Start sshd on a free loopback port with keys made under `workdir`; raises if sshd cannot start.

    With `private_trust` (root only), the node gets a CA bundle of its own (see `SshServer.trust`) and a
    plain shell start-up, in a private mount namespace.
    """
    if not Path(SSHD).exists() or shutil.which("ssh-keygen") is None:
        raise RuntimeError("openssh-server is not installed (apt-get install openssh-server openssh-client)")
    workdir.mkdir(parents=True, exist_ok=True)
    host_key, client_key = workdir / "hostkey_ed25519", workdir / "client_ed25519"
    _keygen(host_key)
    _keygen(client_key)
    shutil.copy(client_key.with_suffix(".pub"), workdir / "authorized_keys")
    port = _free_port()
    config = workdir / "sshd_config"
    config.write_text("\n".join([
        f"ListenAddress {HOST}:{port}", f"HostKey {host_key}", f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {workdir / 'authorized_keys'}", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "UsePAM no",
        "PermitRootLogin prohibit-password", "StrictModes no", "MaxSessions 50", "MaxStartups 50",
        "Subsystem sftp internal-sftp", "",
    ]))
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    known_hosts = workdir / "known_hosts"
    write_known_hosts(known_hosts, HOST, port, host_key.with_suffix(".pub"))
    argv, bundle = [SSHD, "-D", "-e", "-f", str(config)], None
    if private_trust:
        if os.geteuid() != 0 or shutil.which("unshare") is None:
            raise RuntimeError("a private mount namespace for the node needs root and unshare (util-linux)")
        bundle = workdir / "node-ca-bundle.crt"
        shutil.copy(SYSTEM_BUNDLE, bundle)
        empty_rc = workdir / "empty-bashrc"
        empty_rc.write_text("")
        argv = ["unshare", "-m", "sh", "-c", _NAMESPACE, "sh", str(bundle), str(empty_rc),
                str(Path.home() / ".bashrc"), *argv]
    log = open(workdir / "sshd.log", "wb")
    process = subprocess.Popen(argv, stdout=log, stderr=log)
    log.close()
    _wait_listening(process, port, startup_timeout, workdir / "sshd.log")
    return SshServer(HOST, port, getpass.getuser(), client_key, known_hosts, host_key, process, bundle)


def _wait_listening(process: subprocess.Popen, port: int, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited with {process.returncode}: {log.read_text()}")
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"sshd did not listen on {HOST}:{port} within {timeout} s")
