"""Plain reads of a Proxmox VE cluster that several callers share: bridges, VNets, MACs, privileges.

Only GET calls; every answer becomes plain data here, so no proxmoxer object leaves this package. The
cluster as a whole is read into the target model by `migrate.discovery.target`.
"""

from __future__ import annotations

import re
from typing import Any

from migrate.clients.proxmox.connection import PveClient
from migrate.errors import TargetApiError

_MAC = re.compile(r"([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})")
_NET_KEY = re.compile(r"^net\d+$")


def node_bridges(client: PveClient, node: str) -> dict[str, bool]:
    """The bridges (Linux or OVS) on `node` now, by name, each with whether it carries VLAN tags."""
    interfaces = client.get(f"/nodes/{node}/network", type="any_bridge") or []
    # An OVS bridge carries VLAN tags by design; a Linux bridge only with bridge-vlan-aware.
    return {
        i["iface"]: i.get("type") == "OVSBridge" or bool(int(i.get("bridge_vlan_aware") or 0))
        for i in sorted(interfaces, key=lambda i: i["iface"])
        if i.get("type") in ("bridge", "OVSBridge")
    }


def sdn_zones(client: PveClient) -> dict[str, dict[str, Any]]:
    """The cluster's SDN zones by name; none without SDN."""
    return {str(z["zone"]): z for z in optional(client, "/cluster/sdn/zones") or [] if isinstance(z, dict) and z.get("zone")}


def sdn_vnet_items(client: PveClient) -> list[dict[str, Any]]:
    """The cluster's SDN VNets as PVE lists them (name, zone, vlanaware); none without SDN."""
    return [v for v in optional(client, "/cluster/sdn/vnets") or [] if isinstance(v, dict) and v.get("vnet")]


def sdn_vnets(client: PveClient) -> dict[str, bool]:
    """The cluster's SDN VNets (usable as a NIC's bridge), each with whether it is VLAN-aware; none without SDN."""
    return {str(v["vnet"]): vnet_vlan_aware(v) for v in sdn_vnet_items(client)}


def vnet_vlan_aware(vnet: dict[str, Any]) -> bool:
    return bool(int(vnet.get("vlanaware") or 0))


def macs_of(config: dict[str, Any]) -> tuple[str, ...]:
    """The MAC addresses of a guest's `netN` lines, upper case."""
    macs = []
    for key, value in config.items():
        if _NET_KEY.match(key):
            match = _MAC.search(str(value))
            if match:
                macs.append(match.group(1).upper())
    return tuple(macs)


def privileges_on(client: PveClient, path: str) -> frozenset[str]:
    """The privileges the token holds on an ACL path (`/vms/100`, `/storage/local`), as PVE works them out."""
    permissions = client.get("/access/permissions", path=path) or {}
    # PVE answers {path: {privilege: 1}} for the path asked; every entry counts, whatever path it names.
    return frozenset(p for privileges in permissions.values() for p, v in (privileges or {}).items() if v)


def optional(client: PveClient, path: str) -> Any:
    """An answer that a cluster may not have (no Ceph, no HA, a standalone node): None instead of an error."""
    try:
        return client.get(path)
    except TargetApiError:
        return None
