"""What finalize plans from: the wave's migrated VMs and what the target holds; and what it plans: changes and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# Written into every HA resource and rule the toolkit makes: a rule without it is never changed.
MARKER = "migrate-toolkit"


class Kind(StrEnum):
    """What a change or a note is about; stored by value in the journal."""

    HA_RESOURCE = "ha_resource"
    HA_RULE = "ha_rule"
    BACKUP_JOB = "backup_job"
    FIRST_BACKUP = "first_backup"
    RETIRE_SOURCE = "retire_source"


class Action(StrEnum):
    """What a change does; stored by value in the journal."""

    CREATE = "create"
    UPDATE = "update"
    NONE = "none"  # a note: left as it is, with the reason
    RENAME = "rename"  # a retired source: renamed with the marker and noted
    UNREGISTER = "unregister"
    DELETE = "delete"


@dataclass(frozen=True)
class MigratedVm:
    """A VM the journal says the toolkit migrated (done, with a target VM), as finalize needs it."""

    name: str  # the vSphere name
    migration_id: int
    vm_key: str | None  # what the marker names; None when no plan of its wave names the VM any more
    vmid: int
    node: str
    cluster: str | None = None  # its vSphere cluster, whose DRS rules apply to it
    restart_priority: str | None = None  # vSphere HA's for it (its override, else the cluster's default)
    source_moref: str | None = None  # the source VM in vCenter
    source_id: int | None = None  # the recorded source (vCenter) it came from
    migrated_at: datetime | None = None  # when the journal last changed it: its migration's end


@dataclass(frozen=True)
class TargetGuest:
    """A VM as the target holds it at a migrated VM's VMID."""

    vmid: int
    node: str
    status: str
    pool: str | None
    volumes: tuple[str, ...]  # the volids of its disks (CD-ROMs with an ISO included, an empty drive not)
    not_ours: str | None = None  # why it is not proven the toolkit's VM; None when it is


@dataclass(frozen=True)
class TargetState:
    """What finalize reads of the target before it plans."""

    guests: dict[int, TargetGuest]
    shared_storages: frozenset[str]
    ha_resources: dict[str, dict[str, Any]]  # sid -> settings
    ha_rules: dict[str, dict[str, Any]] | None  # rule id -> settings; None: PVE 8, which has no HA rules
    backup_jobs: dict[str, dict[str, Any]]  # job id -> settings
    backups: dict[int, list[str]] = field(default_factory=dict)  # VMID -> its archives on the jobs' storages
    node_count: int = 0  # the cluster's nodes (0: unknown)


@dataclass(frozen=True)
class HaSettings:
    """The HA resource the production architecture asks for: started, restarted and relocated at most this often."""

    max_restart: int = 1
    max_relocate: int = 1


@dataclass(frozen=True)
class Change:
    """One change to send to the target, or (action none) something left as it is and why."""

    kind: Kind
    action: Action
    object_id: str  # vm:1001, the rule id, the job id
    vms: tuple[str, ...]  # the migrated VMs it is for
    params: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass
class FinalizePlan:
    """The changes to make, in order, and what is left as it is with the reason."""

    wave: int
    changes: list[Change] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)
