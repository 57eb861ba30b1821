"""A VM's known IP addresses and how each is kept across the move, from what VMware Tools reported.

A static address lives in the guest's configuration of its old adapter: the new NIC model is a new adapter, so it
must be set again. A DHCP address follows the MAC: kept when the plan keeps the MAC, else the reservation moves.
An address whose origin was not reported (RVTools, old Tools) is checked after the first boot.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrate.planning.model import PlannedVm


@dataclass(frozen=True)
class KnownAddress:
    nic: str | None
    mac: str | None
    address: str
    prefix: int | None
    how: str  # how the address survives the move, as an instruction

    @property
    def shown(self) -> str:
        """`10.0.20.15/24`, or the address alone when its prefix is unknown."""
        return self.address + (f"/{self.prefix}" if self.prefix is not None else "")


def known_addresses(vm: PlannedVm) -> list[KnownAddress]:
    """The addresses of the plan's guest summary (`known_ips`; older plans: only `static_ips`), each with its how."""
    guest = vm.guest or {}
    found = guest.get("known_ips")
    if found is None:  # a plan stored before the known addresses were kept
        found = [{**ip, "origin": "manual"} for ip in guest.get("static_ips") or []]
    kept_macs = {(nic.mac or "").lower() for nic in vm.nics if nic.mac}
    return [KnownAddress(ip.get("nic"), ip.get("mac"), ip["address"], ip.get("prefix"), _how(ip, kept_macs)) for ip in found]


def _how(ip: dict, kept_macs: set[str]) -> str:
    if ip.get("origin") == "manual":
        return "static: set it again on the new adapter (same address, prefix, gateway and DNS)"
    if ip.get("origin") == "dhcp":
        if (ip.get("mac") or "").lower() in kept_macs:
            return "DHCP: the MAC is kept, so is the lease or reservation"
        return "DHCP: the MAC changes: move the reservation to the new MAC before the first boot"
    return "origin not reported: check the guest has it after the first boot; if it was set in the guest, set it again"

