"""What the steps of `migrate run` call: the target's API, the source's vCenter, the nodes' shells, the options.

Built once per run by a factory the caller gives (the CLI connects for real; tests point it at the fakes).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from migrate.clients.proxmox.connection import PveClient
from migrate.clients.proxmox.vm import GuestMacs
from migrate.clients.ssh import NodeAddress, NodeShell

log = logging.getLogger(__name__)

# How long a vCenter session is trusted without asking whether it still lives. vCenter ends a session idle
# for 30 min by default, so one used within the last minute is asked about again only after a pause; a session
# ended by hand between checks shows as a refused call, after which the engine's retry asks again (`recheck`).
VSPHERE_CHECK_INTERVAL = 60.0


@dataclass(frozen=True)
class RunOptions:
    """How a wave is run: parallelism, whether targets start, checks, and the source datastores' transports."""

    parallel: int = 4
    per_resource: int = 2  # VMs at once on one node or one source datastore
    start: bool = True
    dry_run: bool = False
    verify: bool = False
    agent_timeout: float = 120.0
    # Source datastores mounted on the nodes (NFS): datastore name -> its mount path on the node. Other
    # datastores are read over HTTPS from the vCenter's datastore file API.
    datastore_paths: dict[str, str] = field(default_factory=dict)
    insecure_source: bool = False  # qemu-img does not verify the vCenter's certificate (journaled)
    stall_timeout: float = 900.0
    # A step that failed with a transient error (a dropped connection, a timeout) is tried this often in all
    # within the run, waiting retry_backoff seconds before the second try and twice as long before each next.
    step_attempts: int = 4
    retry_backoff: float = 5.0
    # Convert each guest the plan says to (virt-v2v-in-place on the node) before its first start. Off unless
    # asked: `migrate run` asks by default (`--no-convert` turns it off).
    convert: bool = False
    convert_timeout: float = 1800.0
    convert_tcg: bool = False  # libguestfs without KVM on the node (the test bed's nodes, where KVM guests hang)
    virtio_win: str | None = None  # the virtio-win ISO on the nodes, for Windows guests
    bwlimit_mib_s: float | None = None  # what the run's copies read at most, together
    bwlimit_node_mib_s: float | None = None  # what one node's copies read at most, together
    require_test: bool = False  # refuse a VM whose newest rehearsal (`migrate test`) did not pass
    # Per node, the bytes per second each copy may read (execute_wave shares the limits out: bandwidth.py).
    copy_rates: dict[str, int] = field(default_factory=dict)


@dataclass
class Services:
    """Connections for the steps; `vsphere` is connected on first use, shared by the run's threads, and logged
    in again when its session has ended."""

    pve: PveClient
    node_address: Callable[[str], NodeAddress]
    options: RunOptions
    connect_vsphere: Callable[[], Any]
    vsphere_check_interval: float = VSPHERE_CHECK_INTERVAL
    guest_macs: GuestMacs = field(default_factory=GuestMacs)  # preflight's MAC look-ups, shared by the run
    _vsphere: Any = None
    _checked: float = -math.inf
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def vsphere(self) -> Any:
        """The vCenter connection, its session checked when it has not been for `vsphere_check_interval` s."""
        with self._lock:
            if self._vsphere is None:
                self._login()
            elif time.monotonic() - self._checked >= self.vsphere_check_interval:
                if not self._vsphere.alive():
                    self._login()
                self._checked = time.monotonic()
            return self._vsphere

    def renew_vsphere(self, stale: Any) -> Any:
        """A connection with a live session in place of `stale`, whose session ended; logs in again only if no
        other thread has already."""
        with self._lock:
            if self._vsphere is stale:
                self._login()
            return self._vsphere

    def recheck(self) -> None:
        """Ask the vCenter whether the session lives at the next use (after a step failed, say)."""
        with self._lock:
            self._checked = -math.inf

    def _login(self) -> None:
        old, self._vsphere = self._vsphere, None
        if old is not None:
            log.warning("the vCenter session ended; logging in again")
            old.close()
        self._vsphere = self.connect_vsphere()
        self._checked = time.monotonic()

    def shell(self, node: str) -> NodeShell:
        """A new SSH connection to the node (the caller closes it): a dropped one is never reused."""
        return NodeShell.connect(self.node_address(node))

    def close(self) -> None:
        if self._vsphere is not None:
            self._vsphere.close()
