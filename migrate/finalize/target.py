"""What the target holds for finalize: the migrated VMs as they are there (proven ours or not), the shared
storages, the HA resources and rules, the backup jobs."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from migrate.clients.proxmox import SECRET_ENV, PveClient, connect
from migrate.clients.proxmox import protection
from migrate.clients.proxmox.vm import Ownership, not_ours_because, vm_config
from migrate.db.plan_models import Target
from migrate.finalize.backup import backup_storages
from migrate.finalize.model import MigratedVm, TargetGuest, TargetState
from migrate.target.store import endpoint_of


def target_connector(env: Mapping[str, str]) -> Callable[[Target], PveClient]:
    """Connect to a target with the token secret of the environment (MIGRATE_PVE_TOKEN_SECRET), never stored."""
    return lambda target: connect(endpoint_of(target, env.get(SECRET_ENV)))


def read_target(pve: PveClient, vms: list[MigratedVm], backups: bool = False) -> TargetState:
    """The target as finalize plans from it; with `backups`, also each proven VM's archives on the jobs' storages."""
    rows = protection.guests(pve)
    guests = {}
    for vm in vms:
        row = rows.get(vm.vmid)
        if row is None:
            continue
        config = vm_config(pve, row["node"], vm.vmid)
        guests[vm.vmid] = TargetGuest(vm.vmid, row["node"], str(row.get("status") or ""), row.get("pool"),
                                      protection.volumes_of(config), _not_ours(vm, config))
    jobs = protection.backup_jobs(pve)
    archives = _archives(pve, [g for g in guests.values() if g.not_ours is None], jobs) if backups else {}
    return TargetState(guests, protection.shared_storages(pve), protection.ha_resources(pve),
                       protection.ha_rules(pve), jobs, archives, len(pve.get("/nodes") or []))


def _archives(pve: PveClient, guests: list[TargetGuest], jobs: dict) -> dict[int, list[str]]:
    storages = sorted(backup_storages(jobs))
    return {g.vmid: [volid for storage in storages for volid in protection.backups_of(pve, g.node, storage, g.vmid)]
            for g in guests}


def _not_ours(vm: MigratedVm, config: dict) -> str | None:
    """Why the VM at the migrated VM's VMID is not the one the toolkit made (marker, owner line, VMID), or None."""
    if vm.vm_key is None:
        return "no plan of its wave names it any more"
    return not_ours_because(Ownership(vm.vm_key, vm.vmid, vm.migration_id), vm.vmid, config)
