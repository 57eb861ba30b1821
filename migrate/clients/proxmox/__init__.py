"""Proxmox VE: connecting with an API token, plain reads of the cluster, and the guests the toolkit creates."""

from migrate.clients.proxmox.connection import DEFAULT_PORT, DEFAULT_TIMEOUT, SECRET_ENV, PveClient, PveEndpoint, connect

__all__ = ["DEFAULT_PORT", "DEFAULT_TIMEOUT", "SECRET_ENV", "PveClient", "PveEndpoint", "connect"]
