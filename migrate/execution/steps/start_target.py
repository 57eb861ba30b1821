"""Start the target VM (when the run asks for it), wait for the guest agent and record its IP addresses, and the
source's static addresses the guest did not bring back (`migrate.execution.boot_check`).

A guest whose agent does not answer within `--agent-timeout` (none installed, or not started yet) does not
fail the VM: `agent` is recorded false and the IPs unknown, and `migrate run` warns about it at the end.
"""

from __future__ import annotations

from migrate.clients.proxmox import vm as pvevm
from migrate.execution.boot_check import missing_addresses, static_addresses
from migrate.execution.itinerary import UNDONE_WITH_TARGET_VM, Step, StepContext
from migrate.execution.steps.common import target


def applies(ctx: StepContext) -> bool:
    return ctx.services.options.start


def run(ctx: StepContext) -> dict:
    node, vmid = target(ctx)
    pvevm.start(ctx.services.pve, node, vmid)
    ips = pvevm.agent_ips(ctx.services.pve, node, vmid, timeout=ctx.services.options.agent_timeout)
    ctx.state.target_ips = ips
    ctx.state.agent = ips is not None
    # Only a guest whose agent answered can be checked; one without an agent is warned about as such.
    missing = missing_addresses(static_addresses(ctx.vm.guest), ips) if ips is not None else []
    ctx.state.ips_missing = missing or None
    return {"ips": ips, "agent": ips is not None, "ips_missing": missing}


STEP = Step("start_target", run, applies=applies, undo=UNDONE_WITH_TARGET_VM)
