"""Steps as data: a VM's migration is an ordered list of named steps, each a small function safe to run again.

A step may apply only to some VMs (`applies`), and may run once per item (`items`, such as once per
disk), so that a disk already copied is never copied again while the next one still is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from migrate.execution.services import RunOptions
from migrate.execution.vm_plan import SourceRef
from migrate.execution.vm_state import VmState
from migrate.planning.model import PlannedVm
from migrate.waves.policy import StopPolicy

if TYPE_CHECKING:
    from migrate.clients.proxmox.connection import PveClient
    from migrate.clients.proxmox.vm import GuestMacs
    from migrate.clients.ssh import NodeShell
    from migrate.clients.vsphere.connection import VsphereConnection


class Services(Protocol):
    """What the steps call: the target's API, the source's vCenter, the nodes' shells, the run's options.

    `migrate.execution.services.Services` is the one a run uses; tests may give anything of this shape.
    """

    pve: PveClient
    options: RunOptions
    guest_macs: GuestMacs  # preflight's MAC look-ups, shared by the run

    @property
    def vsphere(self) -> VsphereConnection: ...

    def renew_vsphere(self, stale: VsphereConnection) -> VsphereConnection: ...

    def recheck(self) -> None: ...

    def shell(self, node: str) -> NodeShell: ...

    def close(self) -> None: ...


@dataclass
class StepContext:
    """What a step sees: the planned VM, its source, the wave's stop policy, the VM's durable state (which the
    step adds to, and the journal saves after it), the services it may call, and the item it runs for."""

    vm_migration_id: int
    vm_name: str
    vm: PlannedVm
    source: SourceRef
    stop: StopPolicy
    state: VmState
    services: Services
    item: str = ""
    progress: Callable[[float], None] = field(default=lambda fraction: None)
    # Saves a running step's progress (a dict) into its journal row, for `migrate status` in another process.
    save_progress: Callable[[dict[str, Any]], None] = field(default=lambda detail: None)


def always(_: StepContext) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    name: str
    action: Callable[[StepContext], dict[str, Any] | None]  # returns details for the journal
    applies: Callable[[StepContext], bool] = always
    items: Callable[[StepContext], Sequence[str]] | None = None

    def items_of(self, ctx: StepContext) -> Sequence[str]:
        return self.items(ctx) if self.items else ("",)


Itinerary = Sequence[Step]

