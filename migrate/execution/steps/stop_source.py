"""Stop the source VM: guest shutdown through VMware Tools, then a power off only if the run allows it."""

from __future__ import annotations

from migrate.clients.vsphere import power
from migrate.execution.itinerary import StepContext
from migrate.execution.steps.common import source


def run(ctx: StepContext) -> dict:
    options = ctx.services.options
    how = power.stop(ctx.services.vsphere, source(ctx)["moref"], options.shutdown_timeout, options.power_off)
    if how != "already off":
        ctx.state["source_stopped"] = True  # rollback powers it on again
    elif ctx.state.get("source_power_state") == "poweredOn":
        ctx.state["source_stopped"] = True  # stopped by an attempt killed before it could record it
    return {"stopped": how}
