"""Stop the source VM: guest shutdown through VMware Tools, then a power off only if the wave's policy allows it."""

from __future__ import annotations

from migrate.clients.vsphere import power
from migrate.execution.itinerary import StepContext
from migrate.execution.steps.common import source


def run(ctx: StepContext) -> dict:
    policy = ctx.plan["stop"]  # the wave's stop policy (migrate wave policy), read at the start of the run
    how = power.stop(ctx.services.vsphere, source(ctx)["moref"], policy["shutdown_timeout"],
                     policy["allow_power_off"])
    if how != "already off":
        ctx.state["source_stopped"] = True  # rollback powers it on again
    elif ctx.state.get("source_power_state") == "poweredOn":
        ctx.state["source_stopped"] = True  # stopped by an attempt killed before it could record it
    return {"stopped": how}
