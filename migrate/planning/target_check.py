"""`migrate target check`: the landing-zone findings of a target's latest snapshot, with the latest plan of every
wave on it placed, the networks of every mapping file and the target's known_hosts. The caller owns the transaction."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.models import Source
from migrate.db.plan_models import Target
from migrate.errors import MigrateError, UsageError
from migrate.mapping.files import load_mappings
from migrate.mapping.model import NetworkTarget
from migrate.mapping.source_map import mapping_file_path
from migrate.planning.landing import check_landing_zone
from migrate.planning.store import latest_plans
from migrate.readiness.rule import Finding
from migrate.target.known_hosts import KnownHosts, parse_known_hosts
from migrate.target.reach import ssh_address
from migrate.target.store import get_target, latest_snapshot


def check_target(session: Session, name: str, mappings_dir: str | Path = "mappings") -> list[Finding]:
    """Landing-zone findings of the latest snapshot, with the latest plan of every wave on it placed."""
    target = get_target(session, name)
    _, snapshot = latest_snapshot(session, target)
    addresses = {node.name: ssh_address(target, node.name, node.address) for node in snapshot.nodes}
    return check_landing_zone(snapshot, latest_plans(session, target), _mapped_networks(session, mappings_dir),
                              known_hosts=_known_hosts(target), ssh_addresses=addresses)


def _known_hosts(target: Target) -> KnownHosts | None:
    if not target.known_hosts:
        return None
    try:
        return parse_known_hosts(Path(target.known_hosts).read_text(encoding="utf-8", errors="replace"), target.known_hosts)
    except OSError as exc:
        raise UsageError(
            f"cannot read the known_hosts file {target.known_hosts} of target {target.name}: {exc.strerror}"
        ) from None


def _mapped_networks(session: Session, mappings_dir: str | Path) -> dict[str, NetworkTarget]:
    """The network targets of every source's mapping file that exists; a broken file is skipped, `mapping check` tells."""
    found: dict[str, NetworkTarget] = {}
    for source in session.scalars(select(Source.name).order_by(Source.name)):
        path = mapping_file_path(mappings_dir, source)
        if not path.is_file():
            continue
        try:
            mappings = load_mappings(path)
        except MigrateError:
            continue
        found.update({f"{source}/{name}": target for name, target in mappings.networks.items() if target})
    return found
