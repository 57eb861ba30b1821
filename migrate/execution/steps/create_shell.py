"""Create the target VM from the plan, without its disks, marked as the toolkit's, not started."""

from __future__ import annotations

from migrate.clients.proxmox import vm as pvevm
from migrate.errors import NotOursError
from migrate import failpoints
from migrate.execution.itinerary import Stage, Step, StepContext, Undo, UndoContext
from migrate.execution.steps.common import is_disk_key, ownership
from migrate.execution.vm_state import TargetRef


def shell_config(config: dict) -> dict:
    """The create parameters without the copied disks and the boot order (attach sets them)."""
    kept = {"efidisk0", "tpmstate0"}  # created empty by PVE, not copied
    return {k: v for k, v in config.items()
            if k != "boot" and (k in kept or not is_disk_key(k) or str(v).startswith("none"))}


def run(ctx: StepContext) -> dict:
    owned = ownership(ctx)
    made = pvevm.create_shell(ctx.services.pve, ctx.vm.node, shell_config(ctx.vm.config), owned)
    failpoints.reached("mid:create_shell")  # created, not yet journaled: the resume must adopt it
    ctx.state.target = TargetRef(made.node, made.vmid)
    ctx.state.lookalikes = [describe(vm) for vm in pvevm.lookalikes(ctx.services.pve, owned)]
    return {"node": made.node, "vmid": made.vmid, "lookalikes": ctx.state.lookalikes}


def undo(ctx: UndoContext) -> None:
    """Stop and destroy the toolkit's VM with the disks it holds: the one at its VMID (journaled, or planned for an
    attempt killed before journaling) that proves to be ours. A VM there that does not, and every look-alike
    elsewhere (a clone, a restored backup), is left alone and named."""
    if ctx.ownership is None:
        return
    ctx.noted += [f"left alone: {describe(vm)}" for vm in pvevm.lookalikes(ctx.services.pve, ctx.ownership)]
    try:
        gone = pvevm.destroy_ours(ctx.services.pve, ctx.ownership)
    except NotOursError as exc:
        ctx.noted.append(str(exc))
        return
    if gone is not None:
        ctx.undone.append(f"destroyed target VM {gone.vmid} on {gone.node}")


def describe(vm: pvevm.TargetVm) -> str:
    """A look-alike as the operator is told of it."""
    return (f"VM {vm.vmid} ({vm.name!r}) on node {vm.node} carries the toolkit's marker but is not its VM "
            "(a clone or a restored backup)")


STEP = Step("create_shell", run, undo=Undo(undo, Stage.TARGET))
