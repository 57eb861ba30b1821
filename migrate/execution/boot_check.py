"""After the first start: did the guest come back with the addresses it had on VMware?

A static address (one VMware Tools reported as set by hand) that the guest agent does not report on the target means
the guest's network configuration did not follow the new NIC: the VM is up but unreachable at its old address.
DHCP addresses are not compared: a DHCP server may give another one, which is no fault of the migration.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import ip_address
from typing import Any


def static_addresses(guest: dict[str, Any] | None) -> list[str]:
    """The static addresses of a planned VM's guest summary (`known_ips` with origin manual; older plans: `static_ips`)."""
    guest = guest or {}
    known = guest.get("known_ips")
    if known is None:
        return [ip["address"] for ip in guest.get("static_ips") or []]
    return [ip["address"] for ip in known if ip.get("origin") == "manual"]


def missing_addresses(expected: Iterable[str], reported: Iterable[str]) -> list[str]:
    """The expected addresses the guest does not report (compared as addresses: `fd00::1` equals `fd00:0::1`)."""
    have = {_normal(address) for address in reported}
    return [address for address in expected if _normal(address) not in have]


def _normal(address: str) -> str:
    try:
        return str(ip_address(address.split("%", 1)[0]))
    except ValueError:
        return address
