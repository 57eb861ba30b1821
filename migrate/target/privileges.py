"""The least-privilege Proxmox role the toolkit needs; `docs/proxmox-role.md` explains each privilege.

`target discover`, `target check` and `plan` only read; `migrate run` creates and configures VMs.
The role is granted on `/` to the user and to its privilege-separated token (PVE intersects the two).
"""

from __future__ import annotations

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


def missing_privileges(held: tuple[str, ...] | frozenset[str]) -> list[str]:
    """The required privileges not in `held`, in the order of the role."""
    have = set(held)
    return [privilege for privilege in REQUIRED_PRIVILEGES if privilege not in have]


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
