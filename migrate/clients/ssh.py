"""The shell of a Proxmox node over SSH (paramiko): run a command given as words, or stream its output.

Host keys are checked against known_hosts with paramiko's RejectPolicy, and known_hosts is never written.
Accepting any host key is possible only through an explicit `insecure_host_key=True`, which the CLI never sets.
Every command is a list of words joined with `shlex.join`, so a word is never read by the remote shell as
anything but itself.
"""

from __future__ import annotations

import logging
import re
import shlex
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import paramiko

from migrate.errors import (
    NodeAuthError,
    NodeCommandTimeoutError,
    NodeConnectionLostError,
    NodeHostKeyError,
    NodeUnreachableError,
)

log = logging.getLogger(__name__)

LINE_BREAK = re.compile(rb"[\r\n]")
CHUNK = 65536
# paramiko offers no wait on stdout and stderr together; a short sleep keeps the loop cheap.
POLL = 0.01


@dataclass(frozen=True)
class NodeAddress:
    """Where and how to log in to a node's shell."""

    host: str
    port: int = 22
    username: str = "root"
    key_file: Path | None = None
    known_hosts: Path | None = None  # None: the user's ~/.ssh/known_hosts
    insecure_host_key: bool = False
    connect_timeout: float = 15.0

    @property
    def label(self) -> str:
        return self.host if self.port == 22 else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class CommandResult:
    """How a remote command ended: its exit code and what it wrote."""

    rc: int
    stdout: str
    stderr: str


class _AcceptAnyKey(paramiko.MissingHostKeyPolicy):
    def missing_host_key(self, client, hostname, key):
        log.warning("accepting the unverified SSH host key of %s (%s %s): insecure_host_key",
                    hostname, key.get_name(), key.fingerprint)


class NodeShell:
    """One SSH connection to a node; use it as a context manager, or call `close()`."""

    def __init__(self, address: NodeAddress, client: paramiko.SSHClient) -> None:
        self.address = address
        self._client = client

    @classmethod
    def connect(cls, address: NodeAddress) -> NodeShell:
        """Log in with the key, checking the host key; raises a typed error naming the host and the fix."""
        client = paramiko.SSHClient()
        if address.insecure_host_key:
            client.set_missing_host_key_policy(_AcceptAnyKey())
        else:
            _load_known_hosts(client, address)
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            client.connect(address.host, port=address.port, username=address.username, sock=_socket_to(address),
                           key_filename=str(address.key_file) if address.key_file else None,
                           look_for_keys=address.key_file is None, allow_agent=False,
                           timeout=address.connect_timeout, banner_timeout=address.connect_timeout,
                           auth_timeout=address.connect_timeout)
        except Exception as exc:
            client.close()
            raise _connect_error(address, exc) from exc
        transport = client.get_transport()
        transport.set_keepalive(15)
        return cls(address, client)

    def run(self, argv: Sequence[str], *, stdin: bytes | None = None, timeout: float | None = None) -> CommandResult:
        """Run `argv` on the node and wait for it; `stdin` is sent and closed first."""
        stdout, stderr = bytearray(), bytearray()
        rc = self._exec(argv, stdin, timeout, stdout.extend, stderr.extend)
        return CommandResult(rc, stdout.decode(errors="replace"), stderr.decode(errors="replace"))

    def stream(self, argv: Sequence[str], on_line: Callable[[str], None], *, stdin: bytes | None = None,
               timeout: float | None = None, idle_timeout: float | None = None) -> CommandResult:
        """Run `argv`, calling `on_line` with each piece of stdout ended by `\\r` or `\\n` as it arrives.

        `stdin` is sent and closed first. `idle_timeout` gives up on the command (NodeCommandTimeoutError) when
        it writes nothing for that long; the command itself goes on without a terminal, so the caller stops it
        if it must. stdout is not kept in the result; stderr is.
        """
        pending, stderr = bytearray(), bytearray()

        def feed(data: bytes) -> None:
            pending.extend(data)
            *lines, rest = LINE_BREAK.split(bytes(pending))
            pending[:] = rest
            for line in lines:
                if line.strip():
                    on_line(line.decode(errors="replace"))

        rc = self._exec(argv, stdin, timeout, feed, stderr.extend, idle_timeout)
        if pending.strip():
            on_line(pending.decode(errors="replace"))
        return CommandResult(rc, "", stderr.decode(errors="replace"))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> NodeShell:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _exec(self, argv, stdin, timeout, on_stdout, on_stderr, idle_timeout=None) -> int:
        transport = self._client.get_transport()
        if transport is None or not transport.is_active():
            raise NodeConnectionLostError(f"the SSH connection to node {self.address.label} is closed; "
                                          "connect again")
        try:
            channel = transport.open_session(timeout=self.address.connect_timeout)
            channel.exec_command(shlex.join(argv))
            if stdin is not None:
                channel.sendall(stdin)
            channel.shutdown_write()
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise self._lost(argv[0], exc) from exc
        try:
            return self._pump(channel, on_stdout, on_stderr, timeout, idle_timeout, argv[0])
        finally:
            channel.close()

    def _pump(self, channel, on_stdout, on_stderr, timeout, idle_timeout, name) -> int:
        """Feed the command's output to the callbacks until it exits; the callbacks' own errors pass through."""
        started = last_output = time.monotonic()
        while True:
            try:
                out = channel.recv(CHUNK) if channel.recv_ready() else b""
                err = channel.recv_stderr(CHUNK) if channel.recv_stderr_ready() else b""
                finished = channel.exit_status_ready() or channel.closed or not channel.get_transport().is_active()
            except (paramiko.SSHException, OSError, EOFError) as exc:
                raise self._lost(name, exc) from exc
            if out:
                on_stdout(out)
            if err:
                on_stderr(err)
            now = time.monotonic()
            if out or err:
                last_output = now
                continue
            if finished and not channel.recv_ready() and not channel.recv_stderr_ready():
                break
            if timeout is not None and now - started > timeout:
                raise NodeCommandTimeoutError(f"{name} on {self.address.label} did not finish within {timeout:g} s")
            if idle_timeout is not None and now - last_output > idle_timeout:
                raise NodeCommandTimeoutError(f"{name} on {self.address.label} wrote nothing for {idle_timeout:g} s")
            time.sleep(POLL)
        if channel.exit_status == -1 and self._connection_lost(channel):
            raise self._lost(name, None)
        # -1 with the connection alive: the command ended by a signal (OpenSSH sends exit-signal instead).
        return channel.exit_status

    @staticmethod
    def _connection_lost(channel) -> bool:
        transport = channel.get_transport()
        deadline = time.monotonic() + 1.0
        while transport.is_active() and time.monotonic() < deadline:
            time.sleep(POLL)  # the channel can close a moment before the transport notices the EOF
        return not transport.is_active()

    def _lost(self, name: str, exc: BaseException | None) -> NodeConnectionLostError:
        cause = f": {exc}" if exc else ""
        return NodeConnectionLostError(
            f"the SSH connection to node {self.address.label} dropped while {name} was running{cause}; "
            "its outcome is unknown: check the node, then run again")


def _socket_to(address: NodeAddress) -> socket.socket:
    """A TCP connection to the node's SSH port with Nagle's algorithm off.

    SSH sends small packets and waits for their answers (a channel open, a command's exit status); with
    Nagle on, each such exchange stalls on the peer's delayed ACK, about 40 ms, which added up to a quarter
    of a second per disk copied.
    """
    sock = socket.create_connection((address.host, address.port), timeout=address.connect_timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _load_known_hosts(client: paramiko.SSHClient, address: NodeAddress) -> None:
    path = address.known_hosts or Path("~/.ssh/known_hosts").expanduser()
    try:
        client.load_host_keys(str(path))
    except FileNotFoundError:
        pass  # an empty trust: every host is unknown, and refused
    except (OSError, paramiko.SSHException) as exc:
        raise NodeHostKeyError(f"cannot read known_hosts {path} for node {address.label}: {exc}") from exc


def _known_hosts_name(address: NodeAddress) -> str:
    """How known_hosts names the node: the host, or `[host]:port` off port 22."""
    return address.host if address.port == 22 else f"[{address.host}]:{address.port}"


def _connect_error(address: NodeAddress, exc: BaseException) -> Exception:
    host = address.label
    if isinstance(exc, paramiko.BadHostKeyException):
        return NodeHostKeyError(
            f"the SSH host key of node {host} does not match known_hosts ({exc.key.get_name()} "
            f"{exc.key.fingerprint}): verify the node's key, then fix its line in known_hosts")
    if isinstance(exc, paramiko.AuthenticationException):
        return NodeAuthError(f"node {host} refused the SSH key for {address.username}: "
                             "add its public key to the node's authorized_keys or give the right --ssh-key")
    if isinstance(exc, paramiko.SSHException) and "not found in known_hosts" in str(exc):
        trusted = address.known_hosts or "~/.ssh/known_hosts"
        return NodeHostKeyError(
            f"the SSH host key of node {host} is not in {trusted}: add the node's key from "
            f"/etc/ssh/ssh_host_ed25519_key.pub on the node, read out of band (not by ssh-keyscan, which trusts "
            f"whatever answers), as a line `{_known_hosts_name(address)} <key type> <key>` of that file")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return NodeUnreachableError(f"node {host} did not answer on SSH within {address.connect_timeout:.0f} s: "
                                    "check the address, the port and the firewall")
    if isinstance(exc, (OSError, paramiko.SSHException, EOFError)):
        return NodeUnreachableError(f"cannot connect to node {host} over SSH: {exc}; check the address and port")
    return exc
