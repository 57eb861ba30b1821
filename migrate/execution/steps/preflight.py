"""Preflight: the API token holds the privileges the run uses, the source is there and in the planned state, the
target VMID is free (or ours), storages have room. Nothing is created or changed before it passes."""

from __future__ import annotations

from collections import defaultdict

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.proxmox.target import privileges_on
from migrate.clients.vsphere import power
from migrate.errors import TargetApiError
from migrate.execution.itinerary import StepContext
from migrate.execution.steps.common import copied_disks, planned, source
from migrate.target.privileges import ROLE_NAME, missing_on_paths, run_privileges


def run(ctx: StepContext) -> dict:
    vm, pve = planned(ctx), ctx.services.pve
    _check_privileges(ctx)
    state = power.power_state(ctx.services.vsphere, source(ctx)["moref"])
    # Only the first attempt sees the source as it was; a resume after stop_source must not overwrite it.
    ctx.state.setdefault("source_power_state", state)
    holder = pvevm.find_vm(pve, vm["vmid"])
    if holder is not None and not pvevm.is_ours(pvevm.vm_config(pve, holder.node, holder.vmid), vm["vm_key"]):
        raise TargetApiError(f"VMID {vm['vmid']} is taken by VM {holder.name!r} on node {holder.node}, which the "
                             "toolkit did not create: plan the wave again")
    if holder is None:
        _check_room(ctx)
    return {"source_power_state": state, "target_exists": holder is not None}


def _check_privileges(ctx: StepContext) -> None:
    vm, pve = planned(ctx), ctx.services.pve
    # Every planned disk's storage: create_shell allocates the EFI vars and TPM state there too.
    needs = run_privileges(int(vm["vmid"]), [d["storage"] for d in vm["disks"] if d.get("storage")],
                           [n["bridge"] for n in vm.get("nics") or () if n.get("bridge")], ctx.services.options.start)
    missing = missing_on_paths(needs, lambda path: privileges_on(pve, path))
    if missing:
        raise TargetApiError(f"the API token lacks {', '.join(missing)}: grant it the {ROLE_NAME} role "
                             "(docs/proxmox-role.md) on those paths or on /")


def _check_room(ctx: StepContext) -> None:
    vm, pve = planned(ctx), ctx.services.pve
    needed: dict[str, int] = defaultdict(int)
    for disk in copied_disks(ctx):
        needed[disk["storage"]] += int(disk["size_bytes"])
    avail = {row["storage"]: row for row in pve.get(f"/nodes/{vm['node']}/storage")}
    for storage, size in sorted(needed.items()):
        row = avail.get(storage)
        if row is None:
            raise TargetApiError(f"storage {storage} is not available on node {vm['node']}: check its node list")
        if "avail" in row and int(row["avail"]) < size:
            raise TargetApiError(f"storage {storage} on node {vm['node']} has {int(row['avail'])} bytes free, "
                                 f"{vm['vm_name']} needs {size}: free space or plan the wave again")
