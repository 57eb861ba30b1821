"""Tables of the target side: Proxmox targets and their discovered snapshots, waves, and plans.

A target row stores how to reach the API and the node shells, never the token secret. Snapshots and
plans are versioned: each `target discover` and each `plan` adds a row, so older plans stay readable
and the executor can compare a plan with the snapshot it was made from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from migrate.db.base import Base, JsonDocument, UtcDateTime, make_repr, utcnow


class Target(Base):
    """A Proxmox VE cluster, known by the name the consultant gave it."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    api_host: Mapped[str] = mapped_column(String(255))
    api_port: Mapped[int]
    token_id: Mapped[str] = mapped_column(String(255))  # user@realm!name; the secret is never stored
    ca_file: Mapped[str | None] = mapped_column(Text)
    insecure: Mapped[bool] = mapped_column(default=False)
    ssh_user: Mapped[str | None] = mapped_column(String(255))
    ssh_key: Mapped[str | None] = mapped_column(Text)
    known_hosts: Mapped[str | None] = mapped_column(Text)
    # How to reach a node's SSH when not at its address in the cluster status: node -> "host[:port]".
    node_addresses: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, default=dict)
    ssh_port: Mapped[int] = mapped_column(default=22, server_default="22")
    # The consultant's copy speed per VM (MiB/s) for plans onto this target; measured copies replace it.
    throughput_mib_s: Mapped[float | None] = mapped_column(Float)
    # The virtio-win ISO on every node (a path or a volume id): Windows guests are converted with its drivers.
    virtio_win: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __repr__ = make_repr("id", "name", "api_host")


class TargetSnapshotRecord(Base):
    """One `target discover`: the `TargetSnapshot` document, numbered per target."""

    __tablename__ = "target_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    version: Mapped[int]
    discovered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    facts: Mapped[dict[str, Any]] = mapped_column(JsonDocument)

    target: Mapped[Target] = relationship()

    __table_args__ = (UniqueConstraint("target_id", "version"),)
    __repr__ = make_repr("id", "target_id", "version")


class Wave(Base):
    """A group of VMs that move together, numbered by the consultant; the selection that built it is kept."""

    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    selection: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The stop policy agreed with the customer for the wave's change window: how long a guest shutdown may
    # take, and whether a VM that does not shut down in time may be powered off hard.
    shutdown_timeout: Mapped[int] = mapped_column(default=300, server_default="300")
    allow_power_off: Mapped[bool] = mapped_column(default=False, server_default=false())

    members: Mapped[list[WaveVm]] = relationship(back_populates="wave", order_by="WaveVm.id")

    __repr__ = make_repr("id", "number", "name")


class WaveVm(Base):
    """A VM's membership of a wave; `vm_id` is unique, so a VM is in at most one wave."""

    __tablename__ = "wave_vms"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    vm_id: Mapped[int] = mapped_column(ForeignKey("vms.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(255))  # "selected", or the group that pulled it in
    # What the customer decided for the VM in the wave document (`wave export`/`wave import`): the Proxmox name
    # and node the planner must use, the cutover order group (lower first), and free text for the people.
    proxmox_name: Mapped[str | None] = mapped_column(String(255))
    node: Mapped[str | None] = mapped_column(String(255))
    cutover_order: Mapped[int | None]
    owner: Mapped[str | None] = mapped_column(String(255))
    notes: Mapped[str | None] = mapped_column(Text)

    wave: Mapped[Wave] = relationship(back_populates="members")

    __repr__ = make_repr("wave_id", "vm_id")


class PlanRecord(Base):
    """One `plan` of a wave onto a target snapshot: the settings, what was left out, and a row per VM."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    version: Mapped[int]
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"))
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("target_snapshots.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    forced: Mapped[bool] = mapped_column(default=False)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the plan document: equal inputs, equal digest
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)  # the whole `Plan.to_dict()`

    vms: Mapped[list[PlanVm]] = relationship(back_populates="plan", order_by="PlanVm.id")

    __table_args__ = (UniqueConstraint("wave_id", "version"),)
    __repr__ = make_repr("id", "wave_id", "version")


class PlanVm(Base):
    """One VM of a plan, with the columns the executor looks it up by and its full entry."""

    __tablename__ = "plan_vms"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    vm_id: Mapped[int] = mapped_column(ForeignKey("vms.id"))
    vm_name: Mapped[str] = mapped_column(String(255))
    proxmox_name: Mapped[str] = mapped_column(String(255))
    node: Mapped[str] = mapped_column(String(255))
    vmid: Mapped[int]
    entry: Mapped[dict[str, Any]] = mapped_column(JsonDocument)

    plan: Mapped[PlanRecord] = relationship(back_populates="vms")

    __table_args__ = (UniqueConstraint("plan_id", "vmid"), UniqueConstraint("plan_id", "vm_id"))
    __repr__ = make_repr("plan_id", "vm_name", "node", "vmid")
