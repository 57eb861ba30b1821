"""Create the target VM from the plan, without its disks, marked as the toolkit's, not started."""

from __future__ import annotations

from migrate.clients.proxmox import vm as pvevm
from migrate.execution import failpoints
from migrate.execution.itinerary import Stage, Step, StepContext, Undo, UndoContext
from migrate.execution.steps.common import is_disk_key
from migrate.execution.vm_state import TargetRef


def shell_config(config: dict) -> dict:
    """The create parameters without the copied disks and the boot order (attach sets them)."""
    kept = {"efidisk0", "tpmstate0"}  # created empty by PVE, not copied
    return {k: v for k, v in config.items()
            if k != "boot" and (k in kept or not is_disk_key(k) or str(v).startswith("none"))}


def run(ctx: StepContext) -> dict:
    vm = ctx.vm
    made = pvevm.create_shell(ctx.services.pve, vm.node, vm.vmid, shell_config(vm.config), vm.vm_key)
    failpoints.reached("mid:create_shell")  # created, not yet journaled: the resume must adopt it
    ctx.state.target = TargetRef(made.node, made.vmid)
    return {"node": made.node, "vmid": made.vmid}


def undo(ctx: UndoContext) -> None:
    """Stop and destroy the toolkit's VM with the disks it holds. It is found by its key, not by the state, so
    that one an attempt made and was killed before journaling goes too; never another's VM."""
    if ctx.vm_key and (gone := pvevm.destroy_ours(ctx.services.pve, ctx.vm_key)) is not None:
        ctx.undone.append(f"destroyed target VM {gone.vmid} on {gone.node}")


STEP = Step("create_shell", run, undo=Undo(undo, Stage.TARGET))
