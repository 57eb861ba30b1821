"""The least-privilege Proxmox role the toolkit needs; `docs/proxmox-role.md` explains each privilege.

`target discover`, `target check` and `plan` only read; `migrate run` creates and configures VMs.
The role is granted on `/` to the user and to its privilege-separated token (PVE intersects the two).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

ROLE_NAME = "MigrateToolkit"

READ_PRIVILEGES = (
    "Sys.Audit",  # nodes, cluster status, bridges, Ceph and HA status
    "VM.Audit",  # every VM with its config: VMIDs, names, MACs
    "Datastore.Audit",  # storages with their size and usage; a volume's path
    "SDN.Audit",  # bridges and VNets as SDN objects
)

RUN_PRIVILEGES = (
    "VM.Allocate",  # create the VM; destroy the toolkit's own VM on rollback
    "VM.Config.Disk",
    "VM.Config.CDROM",  # virtio-win.iso for Windows guests on emulated devices
    "VM.Config.CPU",
    "VM.Config.Memory",
    "VM.Config.Network",
    "VM.Config.HWType",
    "VM.Config.Options",
    "VM.PowerMgmt",  # start the VM at cutover
    "VM.GuestAgent.Audit",  # ping the guest agent, read the guest's IP addresses
    "Datastore.AllocateSpace",  # allocate the disk volumes the copy writes into
    "SDN.Use",  # attach NICs to bridges and VLANs
)

REQUIRED_PRIVILEGES = READ_PRIVILEGES + RUN_PRIVILEGES

STORAGE_RUN_PRIVILEGES = ("Datastore.AllocateSpace", "Datastore.Audit")
# PVE checks SDN.Use of a plain Linux bridge on this zone's path (check_bridge_access).
LOCAL_ZONE = "/sdn/zones/localnetwork"


# `migrate finalize` only, in a role of its own granted for the finalize (docs/proxmox-role.md): PVE guards HA
# resources and rules with Sys.Console on `/` (which also opens the nodes' shells) and the backup jobs with
# Sys.Modify on `/`, too much to hold for the whole migration; vzdump checks VM.Backup on each VM and
# Datastore.AllocateSpace on the backup storage itself.
FINALIZE_ROLE_NAME = "MigrateFinalize"
FINALIZE_PRIVILEGES = ("Sys.Console", "Sys.Modify", "VM.Backup", "Datastore.AllocateSpace")


def finalize_privileges(ha: bool, backup_jobs: bool, backups: Iterable[tuple[int, str]]) -> dict[str, tuple[str, ...]]:
    """The privileges the changes of one `migrate finalize` use, by the ACL path PVE checks each on: HA changes,
    backup job changes, and (VMID, storage) of each first backup."""
    root = (("Sys.Console",) if ha else ()) + (("Sys.Modify",) if backup_jobs else ())
    needs: dict[str, tuple[str, ...]] = {"/": root} if root else {}
    backups = sorted(set(backups))
    needs.update((f"/vms/{vmid}", ("VM.Backup",)) for vmid, _ in backups)
    needs.update((f"/storage/{storage}", ("Datastore.AllocateSpace",)) for storage in sorted({s for _, s in backups}))
    return needs


def missing_privileges(held: tuple[str, ...] | frozenset[str]) -> list[str]:
    """The required privileges not in `held`, in the order of the role."""
    have = set(held)
    return [privilege for privilege in REQUIRED_PRIVILEGES if privilege not in have]


def missing_finalize_privileges(held: tuple[str, ...] | frozenset[str]) -> list[str]:
    """The privileges of the finalize role not in `held`, in the order of the role."""
    have = set(held)
    return [privilege for privilege in FINALIZE_PRIVILEGES if privilege not in have]


START_PRIVILEGES = ("VM.PowerMgmt", "VM.GuestAgent.Audit")  # only a run that starts the targets uses them


def run_privileges(vmid: int, storages: Iterable[str], bridges: Iterable[str],
                   start: bool = True) -> dict[str, tuple[str, ...]]:
    """The privileges `migrate run` uses for one VM, by the ACL path PVE checks each on."""
    vm = [p for p in RUN_PRIVILEGES if p.startswith("VM.") and (start or p not in START_PRIVILEGES)]
    needs = {f"/vms/{vmid}": ("VM.Audit", *vm)}
    needs.update((f"/storage/{storage}", STORAGE_RUN_PRIVILEGES) for storage in sorted(set(storages)))
    needs.update((f"{LOCAL_ZONE}/{bridge}", ("SDN.Use",)) for bridge in sorted(set(bridges)))
    return needs


def missing_on_paths(needs: Mapping[str, tuple[str, ...]], held: Callable[[str], frozenset[str]]) -> list[str]:
    """"PRIVILEGE on PATH" for each privilege of `needs` that `held(path)` lacks, in the order of `needs`."""
    missing = []
    for path, privileges in needs.items():
        have = held(path)
        missing += [f"{privilege} on {path}" for privilege in privileges if privilege not in have]
    return missing


def pveum_commands(user: str = "migrate@pve", token: str = "plan") -> list[str]:
    """The commands that create the role, the user and its privilege-separated token, and grant the role."""
    privileges = ",".join(REQUIRED_PRIVILEGES)
    return [
        f'pveum role add {ROLE_NAME} --privs "{privileges}"',
        f"pveum user add {user} --comment 'VMware migration toolkit'",
        f"pveum acl modify / --users {user} --roles {ROLE_NAME}",
        f"pveum user token add {user} {token} --privsep 1",
        f"pveum acl modify / --tokens '{user}!{token}' --roles {ROLE_NAME}",
    ]
