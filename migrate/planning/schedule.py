"""How long a planned wave takes from the first shutdown to the last start, with `migrate run`'s parallelism (pure).

The run works through the plan's VMs in order, at most `parallel` at once and at most `per_node` on one node or
one source datastore (`migrate.execution.engine`); a VM holds its place for its whole downtime. This replays that
order with each VM's estimated downtime, so the wave's total is what the run would take if every estimate held.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from migrate.planning.model import Plan, PlannedVm


def resources(vm: PlannedVm) -> tuple[str, ...]:
    """What a VM holds while it migrates: its target node and its source datastores (as the run counts them)."""
    return (f"node:{vm.node}", *sorted({f"datastore:{d.datastore}" for d in vm.disks if d.datastore}))


@dataclass(frozen=True)
class Slot:
    """When a VM of the wave starts and finishes, in seconds from the wave's start, if every estimate holds."""

    vm: PlannedVm
    start: int
    end: int


def schedule(vms: Sequence[PlannedVm], parallel: int, per_node: int) -> list[Slot]:
    """Each VM's start and end as the run would take them, in the order they start, each taking its downtime."""
    if parallel < 1 or per_node < 1:
        raise ValueError("parallelism limits must be at least 1")
    pending = list(vms)
    running: list[tuple[int, int, PlannedVm]] = []  # (finishes at, order, vm)
    busy: Counter[str] = Counter()
    slots: list[Slot] = []
    now = order = 0
    while pending or running:
        for vm in list(pending):
            if len(running) >= parallel:
                break
            held = resources(vm)
            if all(busy[r] < per_node for r in held):
                pending.remove(vm)
                busy.update(held)
                order += 1
                heapq.heappush(running, (now + vm.downtime_seconds, order, vm))
                slots.append(Slot(vm, now, now + vm.downtime_seconds))
        now, _, done = heapq.heappop(running)
        busy.subtract(resources(done))
    return slots


def wave_seconds(vms: Sequence[PlannedVm], parallel: int, per_node: int) -> int:
    """Seconds from the wave's first VM starting to its last one finishing, each taking its downtime."""
    return max((slot.end for slot in schedule(vms, parallel, per_node)), default=0)


def plan_schedule(plan: Plan) -> list[Slot]:
    """`schedule` of a plan, with the parallelism its settings assume."""
    return schedule(plan.vms, plan.settings.parallel, plan.settings.per_node)


def plan_seconds(plan: Plan) -> int:
    """`wave_seconds` of a plan, with the parallelism its settings assume."""
    return wave_seconds(plan.vms, plan.settings.parallel, plan.settings.per_node)
