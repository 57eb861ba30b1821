"""Attach the copied volumes in their planned slots with the planned options, and set the boot order."""

from __future__ import annotations

from migrate.clients.proxmox import vm as pvevm
from migrate.execution.itinerary import UNDONE_WITH_TARGET_VM, Step, StepContext
from migrate.execution.steps.common import disk_slots, target


def disk_params(config: dict, volumes: dict[str, str]) -> dict[str, str]:
    """Each slot's planned spec ("store:32,iothread=1") with the allocated volume in place of "store:32"."""
    params = {}
    for slot, volid in volumes.items():
        _, _, options = str(config.get(slot, "")).partition(",")
        options = ",".join(o for o in options.split(",") if o and not o.startswith("format="))
        params[slot] = volid + ("," + options if options else "")
    return params


def run(ctx: StepContext) -> dict:
    config = ctx.vm.config
    node, vmid = target(ctx)
    volumes = {slot: ctx.state.volumes[slot] for slot in disk_slots(ctx)}
    params = disk_params(config, volumes)
    if config.get("boot"):
        params["boot"] = config["boot"]
    pvevm.set_config(ctx.services.pve, node, vmid, **params)
    return {"attached": sorted(volumes)}


STEP = Step("attach", run, undo=UNDONE_WITH_TARGET_VM)
