"""`source check`: log in to a recorded source's vCenter the way discover and run will, and say what answered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from migrate.clients.vsphere.connection import connect
from migrate.source.store import VcenterAccess, endpoint_for, get_source


@dataclass(frozen=True)
class SourceCheck:
    source: str
    vcenter: str
    user: str
    product: str  # e.g. "VMware vCenter Server 8.0.2 build-22617221"
    api_version: str
    trust: str  # how the certificate was trusted


def check_source(session: Session, name: str | None, password: Callable[[str, str], str]) -> SourceCheck:
    """Log in to source `name` (the only one when None) with its recorded connection; raises the login's error."""
    source = get_source(session, name)
    endpoint = endpoint_for(source, VcenterAccess(), "")
    endpoint = replace(endpoint, password=password(endpoint.user, endpoint.host))
    with connect(endpoint) as connection:
        about = connection.content.about
        product, api_version = str(about.fullName), str(about.apiVersion)
    trust = ("not verified (--insecure)" if endpoint.insecure else "pinned by thumbprint" if endpoint.thumbprint
             else f"CA file {endpoint.ca_file}" if endpoint.ca_file else "the system's CAs")
    return SourceCheck(source.name, endpoint.name, endpoint.user, product, api_version, trust)
