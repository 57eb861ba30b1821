"""HA and backups through the Proxmox API: HA resources and PVE 9 HA rules (/cluster/ha), vzdump jobs
(/cluster/backup) and a VM's backups (vzdump now, the archives on a storage), the guests and the shared storages
they are judged by.

Plain reads and one call per change; the changes are planned elsewhere (migrate.finalize) from these reads, so a
change sent twice would be refused by PVE as a duplicate rather than made twice.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from migrate.clients.proxmox.connection import PveClient
from migrate.clients.proxmox.vm import wait_task

# Drives whose value names a volume; an empty CD-ROM (`none,media=cdrom`) or a physical one (`cdrom`) is none.
DRIVE_KEY = re.compile(r"^(?:ide|sata|scsi|virtio|efidisk|tpmstate)\d+$")


def guests(pve: PveClient) -> dict[int, dict[str, Any]]:
    """VMID -> the VM's row of /cluster/resources (node, status, pool)."""
    return {int(row["vmid"]): row for row in pve.get("/cluster/resources", type="vm") if row.get("type") == "qemu"}


def volumes_of(config: dict[str, Any]) -> tuple[str, ...]:
    """The volids a VM's config uses: its disks, EFI vars, TPM state and an ISO in a CD-ROM drive."""
    found = []
    for key in sorted(config):
        if DRIVE_KEY.match(key):
            volume = str(config[key]).split(",", 1)[0]
            if ":" in volume and not volume.startswith("/"):
                found.append(volume)
    return tuple(found)


def shared_storages(pve: PveClient) -> frozenset[str]:
    """The storages the cluster shares (Ceph, NFS, iSCSI...): the ones HA can restart a VM from on another node."""
    return frozenset(row["storage"] for row in pve.get("/cluster/resources", type="storage")
                     if row.get("shared") in (1, "1", True))


def ha_resources(pve: PveClient) -> dict[str, dict[str, Any]]:
    """The HA resources by sid (`vm:100`), with their settings."""
    return {row["sid"]: row for row in pve.get("/cluster/ha/resources")}


def ha_rules(pve: PveClient) -> dict[str, dict[str, Any]] | None:
    """PVE 9's HA rules by id; None on PVE 8, which has HA groups instead and no such path."""
    version = str((pve.get("/version") or {}).get("version") or "")
    if version.split(".")[0].isdigit() and int(version.split(".")[0]) < 9:
        return None
    return {row["rule"]: row for row in pve.get("/cluster/ha/rules")}


def backup_jobs(pve: PveClient) -> dict[str, dict[str, Any]]:
    """The vzdump jobs of /cluster/backup by id, with their settings."""
    return {row["id"]: row for row in pve.get("/cluster/backup")}


def add_ha_resource(pve: PveClient, params: dict[str, Any]) -> None:
    """POST /cluster/ha/resources: PVE refuses a resource that exists already."""
    pve.post("/cluster/ha/resources", **params)


def create_ha_rule(pve: PveClient, params: dict[str, Any]) -> None:
    """POST /cluster/ha/rules: PVE refuses a rule id that exists already, or over unmanaged resources."""
    pve.post("/cluster/ha/rules", **params)


def update_ha_rule(pve: PveClient, rule: str, params: dict[str, Any]) -> None:
    """PUT /cluster/ha/rules/{rule} with the settings to change."""
    pve.put(f"/cluster/ha/rules/{quote(rule, safe='')}", **params)


def create_backup_job(pve: PveClient, params: dict[str, Any]) -> None:
    """POST /cluster/backup: a new vzdump job (`id`, its schedule, storage, selection and settings)."""
    pve.post("/cluster/backup", **params)


def update_backup_job(pve: PveClient, job_id: str, params: dict[str, Any]) -> None:
    """PUT /cluster/backup/{id} with the settings to change (the others are kept)."""
    pve.put(f"/cluster/backup/{quote(job_id, safe='')}", **params)


def backups_of(pve: PveClient, node: str, storage: str, vmid: int) -> list[str]:
    """The volids of the VM's backups on a storage, as the node sees it (a local storage is the node's own)."""
    rows = pve.get(f"/nodes/{node}/storage/{quote(storage, safe='')}/content", content="backup", vmid=vmid)
    return [row["volid"] for row in rows]


def back_up(pve: PveClient, node: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run vzdump of one VM on its node and wait for its task; its task and the archive it wrote.

    A failed or timed-out task raises TargetApiError naming its exit status."""
    before = set(backups_of(pve, node, params["storage"], params["vmid"]))
    upid = pve.post(f"/nodes/{node}/vzdump", **params)
    wait_task(pve, node, upid, f"the backup of VM {params['vmid']}", timeout=timeout)
    written = sorted(set(backups_of(pve, node, params["storage"], params["vmid"])) - before)
    return {"task": upid, "archive": written[-1] if written else None}
