"""Preflight: nothing is created for a VM until its source and its target are as the plan expects.

The API token: it holds the privileges the run uses on the paths PVE checks them on (`docs/proxmox-role.md`).

The source: there, with no snapshot and no pending consolidation (the copy reads the base disks, so a
snapshot's newer data would be lost), and with the disks the plan was made for (none added, removed or
resized); for a VM a warm copy synced, the snapshot a killed sync pass left is removed first. The target: the planned VMID free (or the toolkit's own), every NIC's bridge (or SDN VNet) on the
planned node and VLAN-aware where a tag is planned, no other guest using one of the VM's MACs, the storages
with room. The node: reached over SSH with a known host key, with a working qemu-img (and the conversion's
tools when the guest is converted), and reading every source disk as the copy will. `execute_wave` checks the target once at the start for the VMs not started yet; this runs
for each VM just before its first change (before its source is stopped), so it also sees what changed during a
long wave, and a resumed VM.
"""

from __future__ import annotations

from collections import defaultdict

from migrate.clients.proxmox import PveClient
from migrate.clients.proxmox import target as pvetarget
from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere.source_state import SourceState, source_state
from migrate.errors import PreflightError, StalePlanError, TargetApiError
from migrate.execution import journal
from migrate.execution.disk_copy import probe_source, require_qemu_img
from migrate.execution.itinerary import Step, StepContext
from migrate.execution.steps import convert
from migrate.execution.steps.common import copied_disks, ownership
from migrate.execution.steps.delta import remove_toolkit_snapshots
from migrate.execution.steps.source_disk import connection_for, source_of
from migrate.mapping.source_copy import copy_refusals
from migrate.planning.model import PlannedVm
from migrate.target.privileges import ROLE_NAME, missing_on_paths, run_privileges


def run(ctx: StepContext) -> dict:
    vm, pve = ctx.vm, ctx.services.pve
    # Read once: the privilege check needs the node's own bridges (SDN.Use paths), check_bridges all of them.
    bridges = pvetarget.node_bridges(pve, vm.node)
    _check_privileges(ctx, bridges)
    if ctx.session is not None and journal.synced(ctx.session, [ctx.vm_migration_id]):
        # A killed `migrate sync` pass left its snapshot: the cutover removes it, as the next pass would.
        remove_toolkit_snapshots(ctx)
    now = source_state(ctx.services.vsphere, ctx.source.moref)
    # Only the first attempt sees the source as it was; a resume after stop_source must not overwrite it.
    if ctx.state.source_power_state is None:
        ctx.state.source_power_state = now.power_state
    check_source(vm, now)
    holder = pvevm.find_ours(pve, ownership(ctx))  # raises for any VM at the VMID that is not proven ours
    check_bridges(pve, vm, bridges)
    _check_macs(ctx)
    if holder is None:
        _check_room(ctx)
    _check_node_reads_sources(ctx)
    return {"source_power_state": now.power_state, "target_exists": holder is not None}


def check_source(vm: PlannedVm, now: SourceState) -> None:
    """Refuse a source with snapshots or needing consolidation (`copy_refusals`, which readiness reads too),
    or whose disks are not the planned ones."""
    for refusal in copy_refusals(now.snapshots, now.consolidation_needed):
        raise PreflightError(f"source VM {now.name} {refusal.reason}: {refusal.fix}, then run again")
    if changes := disk_changes(vm, now):
        raise StalePlanError(f"the plan of {vm.vm_name} is stale: " + "; ".join(changes) +
                             ": discover the source and plan the wave again")


def disk_changes(vm: PlannedVm, now: SourceState) -> list[str]:
    """How the source's disks differ from the planned ones (matched by file), one phrase each."""
    planned_disks = {d.source_file: d for d in vm.disks if d.source_file}
    live = {d.file: d for d in now.disks}
    changes = []
    for file, disk in live.items():
        wanted = planned_disks.get(file)
        if wanted is None:
            changes.append(f"disk {disk.label} ({file}) was added after planning")
        elif disk.capacity_bytes != wanted.size_bytes:
            changes.append(f"disk {file} is {disk.capacity_bytes} bytes now, {wanted.size_bytes} when planned")
    changes += [f"disk {file} ({d.source_label or d.slot}) is no longer on the VM"
                for file, d in planned_disks.items() if file not in live]
    return changes


def check_bridges(pve: PveClient, vm: PlannedVm, bridges: dict[str, bool]) -> None:
    """Every NIC's bridge is on the planned node (`bridges`: the node's own, name -> VLAN-aware) or is an SDN
    VNet, VLAN-aware where the NIC has a tag or a trunk (Proxmox refuses to start such a VM otherwise)."""
    node = vm.node
    vnets: dict[str, bool] | None = None
    for nic in vm.nics:
        name = nic.bridge
        if name not in bridges:
            vnets = pvetarget.sdn_vnets(pve) if vnets is None else vnets
        vlan_aware = bridges.get(name, (vnets or {}).get(name))
        if vlan_aware is None:
            raise PreflightError(f"bridge {name} of {nic.slot} is not on node {node}: create it there (or an SDN "
                                 "VNet of that name), or map the network to another bridge and plan the wave again")
        tagged = f"VLAN {nic.vlan}" if nic.vlan else f"trunk {nic.trunks}" if nic.trunks else None
        if tagged and not vlan_aware:
            raise PreflightError(f"bridge {name} on node {node} is not VLAN-aware, yet {nic.slot} is planned on "
                                 f"{tagged}: set bridge-vlan-aware yes on it (a VNet: VLAN Aware), or plan "
                                 "the wave again")


def _check_node_reads_sources(ctx: StepContext) -> None:
    """What the copy needs of the node, checked while the source still runs: an SSH login with a known host key,
    a working qemu-img, and every source disk read as the copy will read it (from the node's mount, or over
    HTTPS through the datastore file API), at its planned size. A node found wanting here costs no downtime."""
    with ctx.services.shell(ctx.vm.node) as shell:
        require_qemu_img(shell)
        convert.require_tools(ctx, shell)
        for disk in copied_disks(ctx):
            source, cookie = source_of(ctx, disk, connection_for(ctx, disk))
            probe_source(shell, source, cookie, disk.size_bytes)


def _check_macs(ctx: StepContext) -> None:
    vm, pve = ctx.vm, ctx.services.pve
    slots = {nic.mac.upper(): nic.slot for nic in vm.nics if nic.mac}
    holders = ctx.services.guest_macs.holders(pve, list(slots), ownership(ctx)) if slots else []
    if holders:
        holder, mac = holders[0]
        raise PreflightError(f"MAC {mac} of {slots[mac]} is already used by VM {holder.vmid} ({holder.name!r}) on "
                             f"node {holder.node}, and two machines with one MAC would collide on the network: "
                             "change or remove that VM's NIC, then run again")


def _check_privileges(ctx: StepContext, bridges: dict[str, bool]) -> None:
    vm, pve = ctx.vm, ctx.services.pve
    # SDN.Use of a node's own bridge; an SDN VNet's lies under its zone, which PVE checks when the VM is made.
    # Every planned disk's storage: create_shell allocates the EFI vars and TPM state there too.
    needs = run_privileges(vm.vmid, [d.storage for d in vm.disks if d.storage],
                           [n.bridge for n in vm.nics if n.bridge in bridges], ctx.services.options.start)
    missing = missing_on_paths(needs, lambda path: pvetarget.privileges_on(pve, path))
    if missing:
        raise PreflightError(f"the API token lacks {', '.join(missing)}: grant it the {ROLE_NAME} role "
                             "(docs/proxmox-role.md) on those paths or on /")


def _check_room(ctx: StepContext) -> None:
    vm, pve = ctx.vm, ctx.services.pve
    needed: dict[str, int] = defaultdict(int)
    for disk in copied_disks(ctx):
        needed[disk.storage] += disk.size_bytes
    avail = {row["storage"]: row for row in pve.get(f"/nodes/{vm.node}/storage")}
    for storage, size in sorted(needed.items()):
        row = avail.get(storage)
        if row is None:
            raise TargetApiError(f"storage {storage} is not available on node {vm.node}: check its node list")
        if "avail" in row and int(row["avail"]) < size:
            raise TargetApiError(f"storage {storage} on node {vm.node} has {int(row['avail'])} bytes free, "
                                 f"{vm.vm_name} needs {size}: free space or plan the wave again")


STEP = Step("preflight", run)
