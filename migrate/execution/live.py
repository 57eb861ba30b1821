"""The services of a real run: the target's API by its token, its nodes' shells by SSH, the source's vCenter.

Secrets come from the environment only (MIGRATE_PVE_TOKEN_SECRET, MIGRATE_VCENTER_PASSWORD) and are never
journaled; host keys and certificates are verified unless the target was added with --insecure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from migrate.clients.proxmox import SECRET_ENV, connect
from migrate.clients.ssh import NodeAddress
from migrate.clients.vsphere.connection import connect as vsphere_connect
from migrate.db.plan_models import Target
from migrate.errors import UsageError
from migrate.execution.services import RunOptions, Services
from migrate.source.store import VcenterAccess, endpoint_for, find_for
from migrate.target.reach import ssh_address
from migrate.target.store import endpoint_of

PASSWORD_ENV = "MIGRATE_VCENTER_PASSWORD"


@dataclass(frozen=True)
class SourceAccess:
    """How to reach the source vCenter and the nodes for a run: the recorded source (by --source, by --vcenter
    HOST[:PORT], else the only one) with what the command gave on top."""

    vcenter: str | None
    user: str | None
    ca_file: str | None = None
    insecure: bool = False
    ssh_port: int | None = None  # None: the target's
    node_addresses: Mapping[str, str] = field(default_factory=dict)  # node -> host[:port] to reach its SSH at
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    source: str | None = None


def live_services(session: Session, access: SourceAccess):
    """A services factory for `execute_wave` and `rollback` that connects for real.

    The source is found now (a source that does not exist is named at once); a missing user or password is said
    when the factory is first called, after the wave and its plan were found."""
    vcenter_access = VcenterAccess(source=access.source, vcenter=access.vcenter, user=access.user,
                                   ca_file=access.ca_file, insecure=access.insecure)
    source = find_for(session, vcenter_access)
    if source is not None:
        session.expunge(source)

    def factory(target: Target, options: RunOptions) -> Services:
        password = access.env.get(PASSWORD_ENV)
        vcenter = endpoint_for(source, vcenter_access, password or "")
        if not password:
            raise UsageError(f"no password for {vcenter.user}: set {PASSWORD_ENV}")
        pve = connect(endpoint_of(target, access.env.get(SECRET_ENV)))
        cluster = _node_addresses(pve.get("/cluster/status"))

        def address(node: str) -> NodeAddress:
            reached = ssh_address(target, node, cluster.get(node), access.node_addresses, access.ssh_port)
            return NodeAddress(reached.host, reached.port, target.ssh_user or "root",
                               Path(target.ssh_key) if target.ssh_key else None,
                               Path(target.known_hosts) if target.known_hosts else None)
        # A source recorded with --insecure is read unverified by the nodes' qemu-img too, as by the toolkit.
        options = replace(options, insecure_source=options.insecure_source or vcenter.insecure)
        return Services(pve, address, options, lambda: vsphere_connect(vcenter))
    return factory


def _node_addresses(status: list[dict]) -> dict[str, str]:
    return {row["name"]: row["ip"] for row in status or [] if row.get("type") == "node" and row.get("ip")}
