"""Disconnect the source VM's NICs (start-connected off), so it cannot come back with the target's MAC and IP."""

from __future__ import annotations

from migrate.clients.vsphere import power
from migrate.execution.itinerary import Step, StepContext


def run(ctx: StepContext) -> dict:
    nics = power.set_nics_connected(ctx.services.vsphere, ctx.source.moref, False)
    ctx.state.source_nics_disconnected = True  # rollback reconnects them
    return {"disconnected": nics}


STEP = Step("disconnect_source_nics", run)
