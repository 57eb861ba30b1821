"""Stop the source VM: guest shutdown through VMware Tools, then a power off only if the wave's policy allows it."""

from __future__ import annotations

from migrate.clients.vsphere import power
from migrate.execution.itinerary import Stage, Step, StepContext, Undo, UndoContext

POWERED_ON = "poweredOn"


def run(ctx: StepContext) -> dict:
    # The wave's stop policy (migrate wave policy), read at the start of the run.
    how = power.stop(ctx.services.vsphere, ctx.source.moref, ctx.stop.shutdown_timeout, ctx.stop.allow_power_off)
    if how != "already off":
        ctx.state.source_stopped = True  # rollback powers it on again
    elif ctx.state.source_power_state == POWERED_ON:
        ctx.state.source_stopped = True  # stopped by an attempt killed before it could record it
    return {"stopped": how}


def undo(ctx: UndoContext) -> None:
    """Power the source on again, last of all, once the target is gone and the source's NICs are reconnected."""
    # Stopped by a finished stop_source, or by one killed before it was journaled (it was on at preflight).
    if ctx.source.moref and (ctx.state.source_stopped or ctx.state.source_power_state == POWERED_ON):
        power.power_on(ctx.services.vsphere, ctx.source.moref)
        ctx.undone.append("powered the source on")


STEP = Step("stop_source", run, undo=Undo(undo, Stage.SOURCE))
