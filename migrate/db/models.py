"""The tables of the inventory database.

A VM keeps its identity (the row id) across discoveries: later stages (readiness, waves,
plans, runs) refer to it. Everything a discovery found about it is the `facts` document
(`migrate.inventory.model.Vm.to_dict()`); the columns beside it are what lists, lookups and
matching need without reading the document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from migrate.db.base import Base, JsonDocument, UtcDateTime, make_repr, utcnow


class Source(Base):
    """A vCenter, known by the host name the consultant gave (or that an RVTools export names)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # How to reach the vCenter, as `source add` or a discovery recorded it; the password is never stored.
    # An RVTools import makes a source without them.
    vcenter_host: Mapped[str | None] = mapped_column(String(255))
    vcenter_port: Mapped[int | None]
    vcenter_user: Mapped[str | None] = mapped_column(String(255))
    ca_file: Mapped[str | None] = mapped_column(Text)
    thumbprint: Mapped[str | None] = mapped_column(String(128))
    insecure: Mapped[bool] = mapped_column(default=False, server_default=false())

    runs: Mapped[list[DiscoveryRun]] = relationship(back_populates="source", order_by="DiscoveryRun.id")

    __repr__ = make_repr("id", "name")


class DiscoveryRun(Base):
    """One discovery of a source: when, how, what it found and what changed. Failed runs are kept too."""

    __tablename__ = "discovery_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    method: Mapped[str] = mapped_column(String(32))  # vsphere-api, rvtools
    status: Mapped[str] = mapped_column(String(16))  # running, succeeded, failed
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    api_version: Mapped[str | None] = mapped_column(String(32))
    counts: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    changes: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)  # added/changed/removed counts
    provenance: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)

    source: Mapped[Source] = relationship(back_populates="runs")

    __repr__ = make_repr("id", "source_id", "method", "status")


class VmRecord(Base):
    """A VM of a source, across all its discoveries."""

    __tablename__ = "vms"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    moref: Mapped[str | None] = mapped_column(Text)
    instance_uuid: Mapped[str | None] = mapped_column(String(64))
    bios_uuid: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    datacenter: Mapped[str | None] = mapped_column(String(255))
    cluster: Mapped[str | None] = mapped_column(String(255))
    folder: Mapped[str | None] = mapped_column(Text)
    power_state: Mapped[str | None] = mapped_column(String(32))
    template: Mapped[bool] = mapped_column(default=False)
    facts: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    first_seen_run_id: Mapped[int] = mapped_column(ForeignKey("discovery_runs.id"))
    last_seen_run_id: Mapped[int] = mapped_column(ForeignKey("discovery_runs.id"))
    removed_run_id: Mapped[int | None] = mapped_column(ForeignKey("discovery_runs.id"))

    __table_args__ = (
        Index(None, "source_id", "instance_uuid"),
        Index(None, "source_id", "moref"),
        Index(None, "source_id", "name"),
    )

    __repr__ = make_repr("id", "name", "moref")


class VmChange(Base):
    """What one discovery run changed about one VM: added, changed (with the fields) or removed."""

    __tablename__ = "vm_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("discovery_runs.id"), index=True)
    vm_id: Mapped[int] = mapped_column(ForeignKey("vms.id"))
    kind: Mapped[str] = mapped_column(String(16))  # added, changed, removed
    vm_name: Mapped[str] = mapped_column(String(255))
    fields: Mapped[list[Any]] = mapped_column(JsonDocument, default=list)  # [{field, old, new}]

    __repr__ = make_repr("run_id", "vm_name", "kind")


class _Estate:
    """Columns shared by the estate objects that each discovery replaces wholesale."""

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    moref: Mapped[str | None] = mapped_column(Text)
    datacenter: Mapped[str | None] = mapped_column(String(255))
    facts: Mapped[dict[str, Any]] = mapped_column(JsonDocument)

    __repr__ = make_repr("id", "name")


class HostRecord(_Estate, Base):
    __tablename__ = "hosts"


class ClusterRecord(_Estate, Base):
    __tablename__ = "clusters"


class DatastoreRecord(_Estate, Base):
    __tablename__ = "datastores"


class NetworkRecord(_Estate, Base):
    __tablename__ = "networks"
