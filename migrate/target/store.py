"""Targets in the database: adding one, finding one, how to reach it, and its latest discovered snapshot.

The token secret is an argument at use time only; nothing here stores or logs it. The caller owns the
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.clients.proxmox import PveEndpoint
from migrate.clients.proxmox.connection import parse_token_id
from migrate.db.plan_models import Target, TargetSnapshotRecord
from migrate.errors import NotFoundError, UsageError
from migrate.target.model import TargetSnapshot


@dataclass(frozen=True)
class TargetSpec:
    """What `target add` records: the API address and token id, the CA choice and the node shell access."""

    name: str
    host: str
    port: int
    token_id: str
    ca_file: str | None = None
    insecure: bool = False
    ssh_user: str | None = None
    ssh_key: str | None = None
    known_hosts: str | None = None
    throughput_mib_s: float | None = None
    virtio_win: str | None = None  # the virtio-win ISO's path on every node


def add_target(session: Session, spec: TargetSpec) -> Target:
    """Record a new target; refuses a name in use, a bad token id, and --ca-file with --insecure."""
    parse_token_id(spec.token_id)
    if spec.ca_file and spec.insecure:
        raise UsageError("choose one of --ca-file and --insecure")
    for label, path in (("--ca-file", spec.ca_file), ("--ssh-key", spec.ssh_key), ("--known-hosts", spec.known_hosts)):
        if path and not Path(path).is_file():
            raise UsageError(f"{label} {path}: no such file")
    if session.scalar(select(Target).where(Target.name == spec.name)) is not None:
        raise UsageError(f"target {spec.name} exists already: choose another name")
    target = Target(
        name=spec.name, api_host=spec.host, api_port=spec.port, token_id=spec.token_id,
        ca_file=_absolute(spec.ca_file), insecure=spec.insecure, ssh_user=spec.ssh_user,
        ssh_key=_absolute(spec.ssh_key), known_hosts=_absolute(spec.known_hosts),
        throughput_mib_s=_throughput(spec.throughput_mib_s), virtio_win=_iso_path(spec.virtio_win),
    )
    session.add(target)
    session.flush()
    return target


@dataclass(frozen=True)
class TargetChanges:
    """What `target set` changes; None leaves a value as it is. A node address of "" removes the node's."""

    ssh_user: str | None = None
    ssh_key: str | None = None
    known_hosts: str | None = None
    ssh_port: int | None = None
    node_addresses: tuple[tuple[str, str], ...] = ()
    throughput_mib_s: float | None = None  # the copy speed per VM plans assume
    clear_throughput: bool = False  # forget it: plans assume the default again
    virtio_win: str | None = None  # the virtio-win ISO's path on every node; "" forgets it


def set_target(session: Session, name: str, changes: TargetChanges) -> Target:
    """Change what is given of how target `name`'s nodes are reached and of the copy speed its plans assume."""
    target = get_target(session, name)
    for label, path in (("--ssh-key", changes.ssh_key), ("--known-hosts", changes.known_hosts)):
        if path and not Path(path).is_file():
            raise UsageError(f"{label} {path}: no such file")
    if changes.ssh_user:
        target.ssh_user = changes.ssh_user
    if changes.ssh_key:
        target.ssh_key = _absolute(changes.ssh_key)
    if changes.known_hosts:
        target.known_hosts = _absolute(changes.known_hosts)
    if changes.ssh_port:
        target.ssh_port = changes.ssh_port
    if changes.node_addresses:
        addresses = dict(target.node_addresses or {})
        for node, address in changes.node_addresses:
            if address:
                addresses[node] = address
            else:
                addresses.pop(node, None)
        target.node_addresses = addresses  # a new dict: the JSON column sees the change
    if changes.clear_throughput:
        target.throughput_mib_s = None
    elif changes.throughput_mib_s is not None:
        target.throughput_mib_s = _throughput(changes.throughput_mib_s)
    if changes.virtio_win is not None:
        target.virtio_win = _iso_path(changes.virtio_win) or None
    session.flush()
    return target


def _throughput(value: float | None) -> float | None:
    if value is not None and not value > 0:
        raise UsageError(f"--throughput-mib-s {value}: give a copy speed above 0 MiB/s, e.g. 200")
    return value


def _iso_path(path: str | None) -> str | None:
    """The ISO's absolute path on the nodes (virt-v2v reads a file, not a storage's volume id)."""
    if path and not path.startswith("/"):
        raise UsageError(f"--virtio-win {path}: give the ISO's absolute path on the nodes, e.g. "
                         "/var/lib/vz/template/iso/virtio-win.iso (`pvesm path local:iso/virtio-win.iso` prints it)")
    return path


def _absolute(path: str | None) -> str | None:
    return str(Path(path).resolve()) if path else None


def list_targets(session: Session) -> list[Target]:
    return list(session.scalars(select(Target).order_by(Target.name)))


def get_target(session: Session, name: str | None) -> Target:
    """The target called `name`; without a name, the only target there is."""
    if name is None:
        targets = list_targets(session)
        if len(targets) == 1:
            return targets[0]
        if not targets:
            raise NotFoundError("no target yet: add one with `migrate target add NAME --api HOST --token-id ID`")
        raise UsageError(f"{len(targets)} targets exist: name one with --target ({', '.join(t.name for t in targets)})")
    target = session.scalar(select(Target).where(Target.name == name))
    if target is None:
        raise NotFoundError(f"target {name} is not known: add it with `migrate target add {name} --api HOST --token-id ID`")
    return target


def endpoint_of(target: Target, secret: str | None) -> PveEndpoint:
    """How to reach `target` with the secret given now (from MIGRATE_PVE_TOKEN_SECRET)."""
    if not secret:
        raise UsageError(f"no secret for API token {target.token_id} of target {target.name}: set MIGRATE_PVE_TOKEN_SECRET")
    return PveEndpoint(host=target.api_host, port=target.api_port, token_id=target.token_id, secret=secret,
                       ca_file=target.ca_file, insecure=target.insecure)


def latest_snapshot(session: Session, target: Target) -> tuple[TargetSnapshotRecord, TargetSnapshot]:
    record = session.scalar(
        select(TargetSnapshotRecord).where(TargetSnapshotRecord.target_id == target.id)
        .order_by(TargetSnapshotRecord.version.desc()).limit(1)
    )
    if record is None:
        raise NotFoundError(f"target {target.name} has not been discovered: run `migrate target discover {target.name}`")
    return record, TargetSnapshot.from_dict(record.facts)
