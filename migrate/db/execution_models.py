"""The execution journal: every `migrate run` attempt, each VM's migration state, and every step of it.

Steps are recorded before they run and after they finish (each write committed), so a run that is
killed at any point is resumed from the journal: finished steps are skipped, a step that started
but never finished runs again (every step is safe to run again).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from migrate.db.base import Base, JsonDocument, UtcDateTime, make_repr, utcnow


class RunStatus(StrEnum):
    """How a `migrate run` (or `migrate rollback`) attempt stands; stored by value."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # at least one VM failed


class VmStatus(StrEnum):
    """Where a VM's migration stands, across attempts; stored by value."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"
    # Never stored: what `migrate status` shows for a VM whose rollback began and did not finish.
    ROLLBACK_UNFINISHED = "rollback_unfinished"


class StepStatus(StrEnum):
    """How one step (or one item of it) of one attempt ended; stored by value."""

    STARTED = "started"  # journaled before it runs: a resume runs it again
    DONE = "done"
    FAILED = "failed"
    UNDONE = "undone"  # done, then taken back by a rollback: no longer counts as done


class MigrationRun(Base):
    """One `migrate run` attempt of a wave: who ran it, when, with which options, how it ended."""

    __tablename__ = "migration_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave: Mapped[int]
    worker: Mapped[str] = mapped_column(String(255))  # host:pid
    status: Mapped[str] = mapped_column(String(16))  # a RunStatus
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    options: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)

    __repr__ = make_repr("id", "wave", "status")


class VmMigration(Base):
    """A VM's migration in a wave, across attempts: where it stands and what the toolkit changed."""

    __tablename__ = "vm_migrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave: Mapped[int]
    vm_id: Mapped[int] = mapped_column(ForeignKey("vms.id"))
    vm_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=VmStatus.PENDING)  # a VmStatus
    current_step: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # What the toolkit did that a rollback must undo, and what must never be done twice.
    state: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)

    __table_args__ = (UniqueConstraint("wave", "vm_id"),)

    __repr__ = make_repr("id", "wave", "vm_name", "status")


class StepRun(Base):
    """One step (or one item of a step, such as one disk) of one VM's migration, in one attempt."""

    __tablename__ = "step_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    vm_migration_id: Mapped[int] = mapped_column(ForeignKey("vm_migrations.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("migration_runs.id"))
    step: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(255), default="")  # e.g. the disk; "" for a whole-VM step
    status: Mapped[str] = mapped_column(String(16))  # a StepStatus
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "vm_migration_id", "step", "item"),)

    __repr__ = make_repr("id", "step", "item", "status")


class SyncState(StrEnum):
    """How one pass of `migrate sync` stands; stored by value."""

    STARTED = "started"  # journaled before its snapshot is taken: a pass found so was killed, its snapshot an orphan
    DONE = "done"  # copied, and its snapshot removed: the next pass starts from its change ids
    FAILED = "failed"  # ended with an error (or killed, and found so at the next contact): its change ids are unused
    # Done, then a rollback deleted the volumes it filled: its change ids describe nothing now, and the VM's next
    # pass (or cutover) starts again from a whole copy.
    DISCARDED = "discarded"


class SyncPass(Base):
    """One pass of a warm copy of a VM (`migrate sync`): the toolkit's snapshot it read, the change id of each disk
    it recorded, and what it read and wrote. Pass 1 copies the disks whole; a later one only the areas changed
    since the change ids of the newest done pass; the final one (the cutover's) likewise, with the source off."""

    __tablename__ = "sync_passes"

    id: Mapped[int] = mapped_column(primary_key=True)
    vm_migration_id: Mapped[int] = mapped_column(ForeignKey("vm_migrations.id"))
    number: Mapped[int]  # 1 for the first pass of the VM, counting the failed ones
    # The cutover's pass, with the source off and no snapshot: the areas changed since the newest done pass.
    final: Mapped[bool] = mapped_column(default=False, server_default=false())
    state: Mapped[str] = mapped_column(String(16))  # a SyncState
    snapshot_moref: Mapped[str | None] = mapped_column(String(64))
    snapshot_name: Mapped[str | None] = mapped_column(String(255))
    change_ids: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)  # disk slot -> change id or None
    disks: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)  # disk slot -> what its copy did
    extents: Mapped[int] = mapped_column(default=0)
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_written: Mapped[int] = mapped_column(BigInteger, default=0)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("vm_migration_id", "number"),)

    __repr__ = make_repr("id", "vm_migration_id", "number", "state")


class VmLock(Base):
    """One row per VM migration, never updated: a `migrate run` holds its row lock (FOR UPDATE SKIP LOCKED)
    on PostgreSQL while it works on the VM, so two runs never work on the same VM. The journal writes go
    to other tables, so they never wait on the lock; a killed run's lock goes with its connection."""

    __tablename__ = "vm_locks"

    vm_migration_id: Mapped[int] = mapped_column(ForeignKey("vm_migrations.id"), primary_key=True)


class FinalizeChange(Base):
    """One change `migrate finalize` made on the target after a wave's cutover (an HA resource, an HA rule, a
    backup job's VMID list, a first backup): recorded before it is sent and when it is done, with what was sent
    and what came back, so the journal says who changed what and when; a finalize killed in the middle plans again
    from what the target holds."""

    __tablename__ = "finalize_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("migration_runs.id"), index=True)
    wave: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))  # ha_resource, ha_rule, backup_job, first_backup
    action: Mapped[str] = mapped_column(String(16))  # create, update
    object_id: Mapped[str] = mapped_column(String(255))  # vm:1001, the rule id, the job id
    vms: Mapped[list[str]] = mapped_column(JsonDocument, default=list)  # the migrated VMs it is for (vSphere names)
    params: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)  # what was sent
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)  # what came back: a backup's archive
    status: Mapped[str] = mapped_column(String(16))  # a StepStatus: started, done, failed
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    __repr__ = make_repr("id", "kind", "action", "object_id", "status")


class Rehearsal(Base):
    """One `migrate test` of a VM: a copy of its running source, from a snapshot the toolkit took and removed,
    started as a test VM on an isolated bridge; what it proved, and whether its test VM was cleaned up."""

    __tablename__ = "rehearsals"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave: Mapped[int]
    vm_id: Mapped[int] = mapped_column(ForeignKey("vms.id"), index=True)
    vm_name: Mapped[str] = mapped_column(String(255))
    node: Mapped[str | None] = mapped_column(String(255))
    vmid: Mapped[int | None]  # the test VM's
    name: Mapped[str | None] = mapped_column(String(255))  # the test VM's
    status: Mapped[str] = mapped_column(String(16))  # running, passed, failed
    cleaned: Mapped[bool] = mapped_column(default=False)  # the test VM and its volumes are gone
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)  # agent, IPs, converted, source
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    __repr__ = make_repr("id", "vm_name", "status")
