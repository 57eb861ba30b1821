"""Whether a stored plan still fits the target as it is now; `migrate run` calls this before it starts."""

from __future__ import annotations

from collections import defaultdict

from migrate.planning.capacity import charge, pool_key
from migrate.planning.model import Plan
from migrate.target.model import TargetSnapshot


def plan_is_stale(plan: Plan, fresh: TargetSnapshot) -> list[str]:
    """The reasons `plan` no longer matches `fresh` (empty: still good), one line each, naming VM and fix."""
    reasons: list[str] = []
    if not fresh.quorate:
        reasons.append(f"target {fresh.target} has lost quorum: restore the cluster before running")
    reasons += _collisions(plan, fresh)
    reasons += _nodes_and_bridges(plan, fresh)
    reasons += _storage_room(plan, fresh)
    return reasons


def _collisions(plan: Plan, fresh: TargetSnapshot) -> list[str]:
    reasons = []
    vmids, names, macs = fresh.vmids, fresh.names, fresh.macs
    for vm in plan.vms:
        if vm.vmid in vmids:
            reasons.append(f"{vm.vm_name}: VMID {vm.vmid} is now taken on the target: plan the wave again")
        if vm.proxmox_name in names:
            reasons.append(f"{vm.vm_name}: a VM named {vm.proxmox_name} now exists on the target: plan the wave again")
        for nic in vm.nics:
            if nic.mac and nic.mac.upper() in macs:
                reasons.append(f"{vm.vm_name}: MAC {nic.mac} of {nic.slot} is now used on the target: find the duplicate")
    return reasons


def _nodes_and_bridges(plan: Plan, fresh: TargetSnapshot) -> list[str]:
    reasons = []
    for vm in plan.vms:
        node = fresh.node(vm.node)
        if node is None or not node.online:
            reasons.append(f"{vm.vm_name}: node {vm.node} is {'gone' if node is None else 'offline'}: plan the wave again")
            continue
        bridges = fresh.bridges_on(vm.node)
        for nic in vm.nics:
            if nic.bridge not in bridges:
                reasons.append(f"{vm.vm_name}: bridge {nic.bridge} is missing on {vm.node}: create it or plan again")
    return reasons


def _storage_room(plan: Plan, fresh: TargetSnapshot) -> list[str]:
    """Each storage must still hold what the plan puts there (the limits were for planning; here: any room)."""
    needed: dict[tuple[str, str], int] = defaultdict(int)
    free: dict[tuple[str, str], int] = {}
    reasons = []
    for vm in plan.vms:
        on_node = {s.storage: s for s in fresh.storages_on(vm.node)}
        for disk in vm.disks:
            storage = on_node.get(disk.storage)
            if storage is None:
                reasons.append(f"{vm.vm_name}: storage {disk.storage} is not available on {vm.node}: plan the wave again")
                continue
            needed[pool_key(storage)] += charge(disk, storage)
            free[pool_key(storage)] = storage.avail
    for key, size in sorted(needed.items()):
        if size > free[key]:
            where = f" on {key[0]}" if key[0] else ""
            reasons.append(
                f"storage {key[1]}{where} has {free[key] / 1024**3:.1f} GiB free, the plan needs {size / 1024**3:.1f} GiB: "
                "free space or plan the wave again"
            )
    return reasons
