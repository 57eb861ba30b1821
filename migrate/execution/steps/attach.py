"""Attach the copied volumes in their planned slots with the planned options, and set the boot order.

A guest planned on VirtIO only because its conversion installs the drivers, and not converted in this run
(`--no-convert`, the ISO missing), gets its safe config instead (`conversion.unconverted`): its disk slots
(SATA boot disk for Windows), NIC models, controller and boot order, set over the shell's VirtIO devices.
"""

from __future__ import annotations

from migrate.clients.proxmox import vm as pvevm
from migrate.execution.itinerary import UNDONE_WITH_TARGET_VM, Step, StepContext
from migrate.execution.steps import convert
from migrate.execution.steps.common import disk_slots, target
from migrate.execution.steps.create_shell import shell_config


def disk_params(config: dict, volumes: dict[str, str]) -> dict[str, str]:
    """Each slot's planned spec ("store:32,iothread=1") with the allocated volume in place of "store:32"."""
    params = {}
    for slot, volid in volumes.items():
        _, _, options = str(config.get(slot, "")).partition(",")
        options = ",".join(o for o in options.split(",") if o and not o.startswith("format="))
        params[slot] = volid + ("," + options if options else "")
    return params


def unconverted(ctx: StepContext) -> dict | None:
    """The safe config to attach with, when the plan has one and the guest was not converted; else None."""
    safe = convert.planned(ctx).get("unconverted")
    converted = bool((ctx.state.conversion or {}).get("converted"))
    return None if converted else safe


def run(ctx: StepContext) -> dict:
    node, vmid = target(ctx)
    volumes = {slot: ctx.state.volumes[slot] for slot in disk_slots(ctx)}
    safe = unconverted(ctx)
    if safe is None:
        config = ctx.vm.config
    else:
        config = safe["params"]
        volumes = {safe["slots"][slot]: volid for slot, volid in volumes.items()}
    params = disk_params(config, volumes)
    if safe is not None:
        params.update(_device_changes(shell_config(ctx.vm.config), shell_config(config)))
    if config.get("boot"):
        params["boot"] = config["boot"]
    pvevm.set_config(ctx.services.pve, node, vmid, **params)
    return {"attached": sorted(volumes), "config": "unconverted" if safe else "planned"}


def _device_changes(shell: dict, safe: dict) -> dict:
    """What turns the shell's devices (created from the VirtIO config) into the safe config's: changed values,
    and the keys the safe config lacks in `delete`."""
    changes = {key: value for key, value in safe.items() if shell.get(key) != value}
    gone = sorted(key for key in shell if key not in safe)
    if gone:
        changes["delete"] = ",".join(gone)
    return changes


STEP = Step("attach", run, undo=UNDONE_WITH_TARGET_VM)
