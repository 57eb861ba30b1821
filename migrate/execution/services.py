"""What the steps of `migrate run` call: the target's API, the source's vCenter, the nodes' shells, the options.

Built once per run by a factory the caller gives (the CLI connects for real; tests point it at the fakes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from migrate.clients.proxmox.connection import PveClient
from migrate.clients.ssh import NodeAddress, NodeShell


@dataclass(frozen=True)
class RunOptions:
    """How a wave is run: parallelism, whether targets start, checks, and the source datastores' transports."""

    parallel: int = 4
    per_resource: int = 2  # VMs at once on one node or one source datastore
    start: bool = True
    dry_run: bool = False
    verify: bool = False
    power_off: bool = False  # a hard power off when the guest does not shut down in time
    shutdown_timeout: float = 300.0
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


@dataclass
class Services:
    """Connections for the steps; `vsphere` is connected on first use and shared by the run's threads."""

    pve: PveClient
    node_address: Callable[[str], NodeAddress]
    options: RunOptions
    connect_vsphere: Callable[[], Any]
    _vsphere: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def vsphere(self) -> Any:
        with self._lock:
            if self._vsphere is None:
                self._vsphere = self.connect_vsphere()
            return self._vsphere

    def shell(self, node: str) -> NodeShell:
        """A new SSH connection to the node (the caller closes it): a dropped one is never reused."""
        return NodeShell.connect(self.node_address(node))

    def close(self) -> None:
        if self._vsphere is not None:
            self._vsphere.close()
