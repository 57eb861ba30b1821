"""Tables of readiness results: one run per `migrate readiness`, one row per VM with its verdict and findings.

The rules' version is stored on the run, so two reports are compared only when the same rules judged them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from migrate.db.base import Base, JsonDocument, UtcDateTime, make_repr, utcnow


class ReadinessRun(Base):
    """One readiness assessment of a source: when, by which rules version, and the VMs per verdict."""

    __tablename__ = "readiness_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    rules_version: Mapped[int]
    assessed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    counts: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)  # verdict -> VMs
    origin: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)  # the inventory's source: API or RVTools

    results: Mapped[list[ReadinessResult]] = relationship(back_populates="run", order_by="ReadinessResult.id")

    __repr__ = make_repr("id", "source_id", "rules_version")


class ReadinessResult(Base):
    """One VM's verdict in one run, with its findings, unknown inputs and mapped Proxmox config as documents."""

    __tablename__ = "readiness_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("readiness_runs.id"), index=True)
    vm_key: Mapped[str] = mapped_column(String(255))  # moref, else instance UUID, else name
    vm_name: Mapped[str] = mapped_column(String(255))
    verdict: Mapped[str] = mapped_column(String(32))
    proxmox_name: Mapped[str] = mapped_column(String(255))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    unknowns: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    config: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    maps: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)  # the mapping file's gaps (NET-06, DSK-17)

    run: Mapped[ReadinessRun] = relationship(back_populates="results")

    __repr__ = make_repr("id", "run_id", "vm_name", "verdict")
