"""Discovering a vCenter through its API into the inventory database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from migrate.clients.vsphere.connection import VcenterEndpoint, connect
from migrate.clients.vsphere.harvest import harvest
from migrate.db.base import utcnow
from migrate.errors import MigrateError
from migrate.inventory.model import Inventory
from migrate.inventory.store import ChangeSummary, fail_run, find_source, save_inventory, start_run

METHOD = "vsphere-api"


@dataclass
class DiscoveryResult:
    inventory: Inventory
    changes: ChangeSummary
    round_trips: int
    seconds: float


def discover_vcenter(session: Session, endpoint: VcenterEndpoint, on_vm: Callable[[], None] | None = None) -> DiscoveryResult:
    """Harvest the vCenter's inventory, then apply it in one transaction and return what changed.

    Nothing is written until the whole inventory has been read, so a failed discovery (bad
    credentials, lost connection, Ctrl-C) leaves the previous inventory as it was; the failure
    itself is recorded as a failed run. Commits the session.
    """
    started = utcnow()
    try:
        with connect(endpoint) as connection:
            result = harvest(connection, on_vm=on_vm)
    except MigrateError as exc:
        _record_failure(session, endpoint, started, str(exc))
        raise
    run = start_run(session, endpoint.name, METHOD, provenance={"user": endpoint.user, "port": endpoint.port})
    run.started_at = started
    changes = save_inventory(session, run.id, result.inventory)
    session.commit()
    seconds = (run.finished_at - started).total_seconds()
    return DiscoveryResult(result.inventory, changes, result.round_trips, seconds)


def _record_failure(session: Session, endpoint: VcenterEndpoint, started, message: str) -> None:
    """Record a failed re-discovery; a source that was never discovered is not created by a failure."""
    session.rollback()
    if find_source(session, endpoint.name) is None:
        return
    run = start_run(session, endpoint.name, METHOD, provenance={"user": endpoint.user, "port": endpoint.port})
    run.started_at = started
    fail_run(session, run.id, message)
    session.commit()
