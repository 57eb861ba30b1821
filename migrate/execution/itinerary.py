"""Steps as data: a VM's migration is an ordered list of named steps, each a small function safe to run again.

A step may apply only to some VMs (`applies`), and may run once per item (`items`, such as once per
disk), so that a disk already copied is never copied again while the next one still is. A step that changes
anything declares beside it how a rollback takes that back (`undo`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Protocol

from migrate.execution.services import RunOptions
from migrate.execution.vm_plan import SourceRef
from migrate.execution.vm_state import VmState
from migrate.planning.model import PlannedVm
from migrate.waves.policy import StopPolicy

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from migrate.clients.proxmox.connection import PveClient
    from migrate.clients.proxmox.vm import GuestMacs, Ownership
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
    # The run's journal, for a step that journals more than its own row (a synced VM's final pass); None outside
    # `migrate run` (a rehearsal, a sync pass).
    session: Session | None = None


@dataclass
class UndoContext:
    """What an undo sees: what proves the toolkit's target VM its own (None if no plan names the VM now), the
    source, the VM's journaled state and the services. It notes each thing it undid in `undone` as it is done,
    and what it had to leave in `left`: the rollback goes on with the other undos, then fails naming those.
    `noted` is what the operator should know and that fails nothing (a clone of ours, left alone)."""

    ownership: Ownership | None
    source: SourceRef
    state: VmState
    services: Services
    undone: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)


class Stage(IntEnum):
    """When a rollback calls an undo; within a stage, the undo of the step that ran last comes first.

    The target goes before the source comes back, because a started target holds the source's MACs and IPs;
    destroying the target VM takes its volumes with it, under the privileges the toolkit's role has, so the
    volumes it did not take come after it (deleting a volume alone needs Datastore.Allocate).
    """

    TARGET = 1
    LEFT_ON_TARGET = 2
    SOURCE = 3


@dataclass(frozen=True)
class Undo:
    """How a rollback takes back what a step did: `action` reads the journaled state and undoes what is there
    to undo (nothing, if the step never got that far), so it is safe to call again and after a crash."""

    action: Callable[[UndoContext], None]
    stage: Stage


def with_the_target_vm(_: UndoContext) -> None:
    """The undo of a step that changes only the target VM (its config, its power): destroying the VM, which
    create_shell's undo does, takes that back."""


UNDONE_WITH_TARGET_VM = Undo(with_the_target_vm, Stage.TARGET)


def always(_: StepContext) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    name: str
    action: Callable[[StepContext], dict[str, Any] | None]  # returns details for the journal
    applies: Callable[[StepContext], bool] = always
    items: Callable[[StepContext], Sequence[str]] | None = None
    undo: Undo | None = None  # None: the step changes nothing a rollback must take back

    def items_of(self, ctx: StepContext) -> Sequence[str]:
        return self.items(ctx) if self.items else ("",)


Itinerary = Sequence[Step]


def undo_order(itinerary: Itinerary) -> list[Step]:
    """The steps that declare an undo, in the order a rollback calls them: by stage, and within a stage the
    step that runs last first."""
    backwards = [step for step in reversed(itinerary) if step.undo is not None]
    return sorted(backwards, key=lambda step: step.undo.stage)  # a stable sort: backwards within a stage
