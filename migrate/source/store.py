"""Sources in the database: recording how to reach a vCenter, finding a source, and its connection for a command.

The source that an inventory belongs to and the vCenter connection are one record: `source add` makes it, a
discovery with explicit flags fills it in, and `discover`, `run` and `rollback` read it. The password is an
argument at use time only. The caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.clients.vsphere.connection import DEFAULT_TIMEOUT, VcenterEndpoint
from migrate.db.models import Source
from migrate.addresses import host_and_port
from migrate.errors import NotFoundError, UsageError


@dataclass(frozen=True)
class VcenterAccess:
    """How a command was told to reach the vCenter: each given value beats the recorded one."""

    source: str | None = None  # the source's name
    vcenter: str | None = None  # HOST[:PORT], for scripts that name the vCenter instead
    user: str | None = None
    ca_file: str | None = None
    thumbprint: str | None = None
    insecure: bool = False
    timeout: float = DEFAULT_TIMEOUT


def parse_vcenter(value: str, port: int | None = None, option: str = "--vcenter") -> tuple[str, int]:
    """HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/ -> (host, port); `port` is a --port that must agree."""
    host, given = host_and_port(value, port or 443, option)
    if port and given != port:
        raise UsageError(f"{option} {value!r} and --port {port} disagree")
    return host, given


def source_name(host: str, port: int) -> str:
    """The name a source gets from its vCenter when none was given: the host, with the port when not 443."""
    return host if port == 443 else f"{host}:{port}"


def vcenter_value(host: str, port: int) -> str:
    """HOST:PORT as `parse_vcenter` reads it back (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def add_source(session: Session, name: str, access: VcenterAccess) -> Source:
    """Record source `name` and how to reach it; a source known only from its inventory (an RVTools import) gains
    the connection, one that has a connection already is refused (change it with `source set`)."""
    if not access.vcenter:
        raise UsageError("name the vCenter with --vcenter HOST[:PORT]")
    source = session.scalar(select(Source).where(Source.name == name))
    if source is not None and source.vcenter_host:
        raise UsageError(f"source {name} exists already: change it with `migrate source set {name} ...`")
    if source is None:
        source = Source(name=name)
        session.add(source)
    _record(source, access)
    session.flush()
    return source


def set_source(session: Session, name: str, access: VcenterAccess) -> Source:
    """Change what is given of source `name`'s connection."""
    source = get_source(session, name)
    _record(source, access, keep=True)
    session.flush()
    return source


def _record(source: Source, access: VcenterAccess, keep: bool = False) -> None:
    if sum(bool(x) for x in (access.ca_file, access.thumbprint, access.insecure)) > 1:
        raise UsageError("choose one of --ca-file, --thumbprint and --insecure")
    if access.ca_file and not Path(access.ca_file).is_file():
        raise UsageError(f"--ca-file {access.ca_file}: no such file")
    if access.vcenter:
        source.vcenter_host, source.vcenter_port = parse_vcenter(access.vcenter)
    if access.user or not keep:
        source.vcenter_user = access.user or None
    if access.ca_file or access.thumbprint or access.insecure or not keep:
        # One way to trust the certificate at a time: giving one replaces the others.
        source.ca_file = str(Path(access.ca_file).resolve()) if access.ca_file else None
        source.thumbprint = access.thumbprint or None
        source.insecure = access.insecure


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def get_source(session: Session, name: str | None) -> Source:
    """Source `name`; without a name, the only source there is."""
    if name is None:
        sources = list_sources(session)
        if len(sources) == 1:
            return sources[0]
        if not sources:
            raise NotFoundError("no source yet: add one with `migrate source add NAME --vcenter HOST --user USER`")
        raise UsageError(f"{len(sources)} sources exist: name one with --source ({', '.join(s.name for s in sources)})")
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise NotFoundError(f"source {name} is not known: add it with `migrate source add {name} --vcenter HOST --user USER`")
    return source


def find_for(session: Session, access: VcenterAccess) -> Source | None:
    """The recorded source a command means: by --source, else the one whose vCenter (or name) --vcenter gives,
    else the only one; None when --vcenter names a vCenter no source has yet (a first discovery)."""
    if access.source:
        return get_source(session, access.source)
    if access.vcenter:
        host, port = parse_vcenter(access.vcenter)
        for source in list_sources(session):
            if (source.vcenter_host, source.vcenter_port) == (host, port) or source.name == source_name(host, port):
                return source
        return None
    return get_source(session, None)


def endpoint_for(source: Source | None, access: VcenterAccess, password: str) -> VcenterEndpoint:
    """The vCenter to log in to: the recorded connection, with what the command gave on top."""
    if access.vcenter:
        host, port = parse_vcenter(access.vcenter)
    elif source is not None and source.vcenter_host:
        host, port = source.vcenter_host, source.vcenter_port or 443
    else:
        name = source.name if source is not None else "the source"
        raise UsageError(f"source {name} has no vCenter recorded (it came from an RVTools export): record it with "
                         f"`migrate source set {name} --vcenter HOST --user USER`")
    given_trust = access.ca_file or access.thumbprint or access.insecure
    recorded = source if source is not None and not given_trust else None
    return VcenterEndpoint(
        host=host, port=port, user=user_for(source, access), password=password,
        ca_file=access.ca_file or (recorded.ca_file if recorded else None),
        thumbprint=access.thumbprint or (recorded.thumbprint if recorded else None),
        insecure=access.insecure or bool(recorded and recorded.insecure), timeout=access.timeout,
    )


def user_for(source: Source | None, access: VcenterAccess) -> str:
    user = access.user or (source.vcenter_user if source is not None else None)
    if not user:
        hint = f" or record it with `migrate source set {source.name} --user USER`" if source is not None else ""
        raise UsageError(f"name the vCenter user with --user (or MIGRATE_VCENTER_USER){hint}")
    return user


def remember(session: Session, name: str, endpoint: VcenterEndpoint) -> Source:
    """After a discovery with explicit flags: the source named `name` keeps how its vCenter was reached."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name)
        session.add(source)
    source.vcenter_host, source.vcenter_port, source.vcenter_user = endpoint.host, endpoint.port, endpoint.user
    source.ca_file = str(Path(endpoint.ca_file).resolve()) if endpoint.ca_file else None
    source.thumbprint, source.insecure = endpoint.thumbprint, endpoint.insecure
    session.flush()
    return source
