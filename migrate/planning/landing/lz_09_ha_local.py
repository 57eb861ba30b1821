"""LZ-09: VMs that had vSphere HA planned onto storage that is not shared, where Proxmox HA cannot restart them."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone, shortlist
from migrate.readiness.rule import Finding, Rule, Severity
from migrate.words import counted

RULE = Rule("LZ-09", Severity.WARNING, "HA wanted on storage that is not shared",
            "map the VM's datastores to shared storage (Ceph, NFS, iSCSI) or accept no HA for it")


def check(zone: LandingZone) -> list[Finding]:
    shared = {s.storage for s in zone.snapshot.storages if s.shared}
    vms = sorted(vm.vm_name for vm in zone.planned_vms()
                 if vm.ha_wanted and any(d.storage not in shared for d in vm.disks))
    if not vms:
        return []
    return [RULE.finding(f"{counted(len(vms), 'VM')} had vSphere HA and land on local storage: {shortlist(vms)}", {"vms": vms})]
