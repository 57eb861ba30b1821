"""Proxmox VE: connecting with an API token and reading the target cluster (later: executing the plan)."""

from migrate.clients.proxmox.connection import DEFAULT_PORT, DEFAULT_TIMEOUT, SECRET_ENV, PveClient, PveEndpoint, connect
from migrate.clients.proxmox.target import read_target

__all__ = ["DEFAULT_PORT", "DEFAULT_TIMEOUT", "SECRET_ENV", "PveClient", "PveEndpoint", "connect", "read_target"]
