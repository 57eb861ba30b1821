"""Steps as data: a VM's migration is an ordered list of named steps, each a small function safe to run again.

A step may apply only to some VMs (`applies`), and may run once per item (`items`, such as once per
disk), so that a disk already copied is never copied again while the next one still is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StepContext:
    """What a step sees: the VM's migration (plan and state), the services it may call, the item."""

    vm_migration_id: int
    vm_name: str
    plan: dict[str, Any]
    state: dict[str, Any]  # durable facts earlier steps recorded (target VMID, volumes...); steps add to it
    services: Any
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
