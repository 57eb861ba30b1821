"""Disconnect the source VM's NICs (start-connected off), so it cannot come back with the target's MAC and IP."""

from __future__ import annotations

from migrate.clients.vsphere import power
from migrate.execution.itinerary import Stage, Step, StepContext, Undo, UndoContext


def run(ctx: StepContext) -> dict:
    nics = power.set_nics_connected(ctx.services.vsphere, ctx.source.moref, False)
    ctx.state.source_nics_disconnected = True  # rollback reconnects them
    return {"disconnected": nics}


def undo(ctx: UndoContext) -> None:
    """Reconnect the NICs this step disconnected (before stop_source's undo powers the source on)."""
    if ctx.source.moref and ctx.state.source_nics_disconnected:
        power.set_nics_connected(ctx.services.vsphere, ctx.source.moref, True)
        ctx.undone.append("reconnected the source NICs")


STEP = Step("disconnect_source_nics", run, undo=Undo(undo, Stage.SOURCE))
