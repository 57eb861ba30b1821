"""A small itinerary whose steps leave traces, to test the engine's journal, resume and limits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from migrate.execution import failpoints
from migrate.execution.itinerary import Step, StepContext

STEP_NAMES = ("preflight", "create_shell", "copy_disk", "attach", "start")


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
            ctx.state[name] = ctx.state.get(name, 0) + 1
            return {"step": name}
        return run

    return [
        Step("preflight", action("preflight")),
        Step("create_shell", action("create_shell")),
        Step("copy_disk", action("copy_disk"), items=lambda ctx: ctx.plan["disks"]),
        Step("attach", action("attach")),
        Step("start", action("start"), applies=lambda ctx: ctx.plan.get("start", True)),
    ]


def traces(trace: Path) -> list[str]:
    if not trace.exists():
        return []
    return [line.rsplit(" ", 1)[0] for line in trace.read_text().splitlines()]
