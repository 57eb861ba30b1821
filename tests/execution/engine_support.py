"""A small itinerary whose steps leave traces, to test the engine's journal, resume and limits."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from migrate import failpoints
from migrate.execution.itinerary import Step, StepContext
from migrate.execution.services import RunOptions
from migrate.execution.vm_plan import VmPlan
from tests.execution.planned import make_disk, make_vm_plan

STEP_NAMES = ("preflight", "create_shell", "copy_disk", "attach", "start")


def tracing_plan(*disks: str) -> VmPlan:
    """A VM plan whose disks are the tracing itinerary's copy_disk items."""
    return make_vm_plan(disks=tuple(make_disk(slot) for slot in disks))


@dataclass
class StubServices:
    """The services of an itinerary that calls none: the run's options, and the rechecks before a retry."""

    options: RunOptions = field(default_factory=RunOptions)
    rechecks: int = 0

    def recheck(self) -> None:
        self.rechecks += 1

    def close(self) -> None:
        pass


def tracing_itinerary(trace: Path, fail_at: str | None = None, pause: float = 0.0) -> list[Step]:
    """Each step appends "vm step item" to `trace`; `fail_at` makes that step raise once per process."""
    lock = threading.Lock()

    def action(name: str):
        def run(ctx: StepContext):
            if pause:
                time.sleep(pause)
            with lock, trace.open("a") as out:
                out.write(f"{ctx.vm_name} {name} {ctx.item}".rstrip() + f" {time.monotonic()}\n")
            failpoints.reached(f"during:{name}")  # killed with the work done but not journaled
            if fail_at == name:
                from migrate.errors import SourceUnreachableError

                raise SourceUnreachableError("vCenter lost")
            ctx.state.other[name] = ctx.state.other.get(name, 0) + 1
            return {"step": name}
        return run

    return [
        Step("preflight", action("preflight")),
        Step("create_shell", action("create_shell")),
        Step("copy_disk", action("copy_disk"), items=lambda ctx: [disk.slot for disk in ctx.vm.disks]),
        Step("attach", action("attach")),
        Step("start", action("start"), applies=lambda ctx: ctx.services.options.start),
    ]


def traces(trace: Path) -> list[str]:
    if not trace.exists():
        return []
    return [line.rsplit(" ", 1)[0] for line in trace.read_text().splitlines()]
