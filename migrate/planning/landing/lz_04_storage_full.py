"""LZ-04: a storage above its limit (80 %, Ceph 70 %) once the planned VMs that are not created yet are placed."""

from __future__ import annotations

from migrate.planning.capacity import charge, pool_key
from migrate.planning.landing.zone import LandingZone
from migrate.readiness.rule import Finding, Rule, Severity

RULE = Rule("LZ-04", Severity.WARNING, "Storage above its limit after placement",
            "add capacity, map some datastores to another storage, or move VMs to a later wave")


def check(zone: LandingZone) -> list[Finding]:
    snapshot = zone.snapshot
    storages = {pool_key(storage): storage for storage in snapshot.storages}
    taken = {pool_key(storage): storage.taken for storage in snapshot.storages}
    for vm in zone.not_created():
        on_node = {s.storage: s for s in snapshot.storages_on(vm.node)}
        for disk in vm.disks:
            if disk.storage in on_node:
                taken[pool_key(on_node[disk.storage])] += charge(disk, on_node[disk.storage])
    found = []
    for key in sorted(taken):
        storage = storages[key]
        limit = zone.settings.ceph_limit if storage.is_ceph else zone.settings.storage_limit
        if storage.total and taken[key] > storage.total * limit:
            where = "shared" if storage.shared else f"on {storage.node}"
            found.append(RULE.finding(
                f"storage {storage.storage} ({where}) would be {taken[key] / storage.total:.0%} full, above {limit:.0%}",
                {"storage": storage.storage, "node": storage.node, "used_after": taken[key], "total": storage.total}))
    return found
