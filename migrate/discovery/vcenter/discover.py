"""Discovering a vCenter through its API into the inventory database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from migrate.clients.vsphere.connection import VcenterEndpoint, connect
from migrate.db.base import utcnow
from migrate.discovery.save import record_failed_discovery, save_discovery
from migrate.discovery.vcenter.harvest import harvest
from migrate.errors import MigrateError
from migrate.inventory.model import Inventory
from migrate.inventory.store import ChangeSummary
from migrate.source.store import VcenterAccess, endpoint_for, find_for, remember

METHOD = "vsphere-api"


@dataclass
class DiscoveryResult:
    source: str
    inventory: Inventory
    changes: ChangeSummary
    round_trips: int
    seconds: float


@dataclass
class DiscoveryOutcome:
    """A discovery that either saved an inventory or recorded why it failed; the caller commits either."""

    result: DiscoveryResult | None = None
    error: MigrateError | None = None

    def unwrap(self) -> DiscoveryResult:
        """The result, or the harvest's error raised again (after the caller committed its record)."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def discover_source(session: Session, access: VcenterAccess, password: Callable[[str, str], str],
                    on_vm: Callable[[], None] | None = None) -> DiscoveryOutcome:
    """Discover the recorded source `access` means (or the vCenter it names), asking `password(user, host)`.

    A source discovered for the first time by its flags keeps them (never the password), so that later commands
    need only its name."""
    source = find_for(session, access)
    endpoint = endpoint_for(source, access, "")
    endpoint = replace(endpoint, password=password(endpoint.user, endpoint.host))
    name = source.name if source is not None else endpoint.name
    outcome = discover_vcenter(session, endpoint, on_vm, name=name)
    if outcome.error is None and (source is None or not source.vcenter_host):
        remember(session, name, endpoint)
    return outcome


def discover_vcenter(session: Session, endpoint: VcenterEndpoint, on_vm: Callable[[], None] | None = None,
                     name: str | None = None) -> DiscoveryOutcome:
    """Harvest the vCenter's inventory, then save it in `session` with what changed; the caller commits.

    Nothing is written until the whole inventory has been read, so a failed discovery (bad
    credentials, lost connection, Ctrl-C) leaves the previous inventory as it was; a failure of a
    source discovered before is recorded as a failed run in the outcome's stead.
    """
    started = utcnow()
    name = name or endpoint.name
    provenance = {"user": endpoint.user, "port": endpoint.port, "vcenter": endpoint.host}
    try:
        with connect(endpoint) as connection:
            harvested = harvest(connection, on_vm=on_vm)
    except MigrateError as exc:
        record_failed_discovery(session, name, method=METHOD, provenance=provenance, started=started,
                                message=str(exc))
        return DiscoveryOutcome(error=exc)
    harvested.inventory.source = name
    changes = save_discovery(session, harvested.inventory, method=METHOD, provenance=provenance, label=name,
                             started=started)
    finished = utcnow()
    result = DiscoveryResult(name, harvested.inventory, changes, harvested.round_trips, (finished - started).total_seconds())
    return DiscoveryOutcome(result=result)
