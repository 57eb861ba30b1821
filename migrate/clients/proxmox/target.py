"""Read a Proxmox VE cluster into a `TargetSnapshot`: nodes, storages, bridges, guests, quorum, Ceph, HA, privileges.

Only GET calls; every answer becomes plain data here, so no proxmoxer object leaves this package.
"""

from __future__ import annotations

import re
from typing import Any

from migrate.clients.proxmox.connection import PveClient
from migrate.errors import TargetApiError
from migrate.target.model import (
    CEPH_TYPES,
    BridgeFacts,
    GuestFacts,
    NodeFacts,
    StorageFacts,
    TargetSnapshot,
)

_MAC = re.compile(r"([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})")
_NET_KEY = re.compile(r"^net\d+$")


def read_target(client: PveClient, name: str) -> TargetSnapshot:
    """Everything planning and the landing-zone checks need, read through the API."""
    status = client.get("/cluster/status") or []
    cluster = next((e for e in status if e.get("type") == "cluster"), {"quorate": 1})  # none on a standalone node
    addresses = {e.get("name"): e.get("ip") for e in status if e.get("type") == "node"}
    listed = sorted(client.get("/nodes") or [], key=lambda n: n["node"])
    nodes = tuple(_node(client, item, addresses.get(item["node"])) for item in listed)
    online = [n.name for n in nodes if n.online]
    storages = tuple(s for node in online for s in _storages(client, node))
    return TargetSnapshot(
        target=name,
        pve_version=(client.get("/version") or {}).get("version"),
        cluster_name=cluster.get("name"),
        quorate=bool(cluster.get("quorate", 1)),
        node_count=int(cluster.get("nodes") or len(nodes)),
        qdevice=_has_qdevice(client),
        ceph_health=_ceph_health(client, storages),
        nodes=nodes,
        storages=storages,
        bridges=_with_vnets([b for node in online for b in _bridges(client, node)], _vnets(client, online)),
        guests=_guests(client),
        ha_groups=_names(_optional(client, "/cluster/ha/groups"), "group"),
        ha_rules=_names(_optional(client, "/cluster/ha/rules"), "rule"),
        **_privileges(client),
    )


def _node(client: PveClient, item: dict[str, Any], address: str | None) -> NodeFacts:
    online = item.get("status") == "online"
    cpuinfo = (client.get(f"/nodes/{item['node']}/status") or {}).get("cpuinfo", {}) if online else {}
    return NodeFacts(
        name=item["node"], online=online, cpu_model=cpuinfo.get("model"), cpu_sockets=cpuinfo.get("sockets"),
        cores=item.get("maxcpu"), memory_total=int(item.get("maxmem") or 0), memory_used=int(item.get("mem") or 0),
        cpu_usage=item.get("cpu"), address=address,
    )


def _storages(client: PveClient, node: str) -> list[StorageFacts]:
    found = []
    for item in sorted(client.get(f"/nodes/{node}/storage") or [], key=lambda s: s["storage"]):
        if not item.get("enabled", 1):
            continue
        found.append(StorageFacts(
            node=node, storage=item["storage"], type=item.get("type", ""), shared=bool(item.get("shared")),
            content=tuple(sorted(c for c in str(item.get("content", "")).split(",") if c)),
            total=int(item.get("total") or 0), used=int(item.get("used") or 0), avail=int(item.get("avail") or 0),
            active=bool(item.get("active", 1)),
        ))
    return found


def node_bridges(client: PveClient, node: str) -> dict[str, bool]:
    """The bridges (Linux or OVS) on `node` now, each with whether it carries VLAN tags."""
    return {b.name: b.vlan_aware for b in _bridges(client, node)}


def sdn_vnets(client: PveClient) -> dict[str, bool]:
    """The cluster's SDN VNets (usable as a NIC's bridge), each with whether it is VLAN-aware; none without SDN."""
    return {str(v["vnet"]): bool(int(v.get("vlanaware") or 0))
            for v in _optional(client, "/cluster/sdn/vnets") or [] if isinstance(v, dict) and v.get("vnet")}


def macs_of(config: dict[str, Any]) -> tuple[str, ...]:
    """The MAC addresses of a guest's `netN` lines, upper case."""
    return _macs(config)


def _vnets(client: PveClient, online: list[str]) -> list[BridgeFacts]:
    """The SDN VNets as bridges of the online nodes of their zone (a zone without a node list spans every node)."""
    zones = {str(z["zone"]): z for z in _optional(client, "/cluster/sdn/zones") or []
             if isinstance(z, dict) and z.get("zone")}
    found = []
    for vnet in _optional(client, "/cluster/sdn/vnets") or []:
        if not isinstance(vnet, dict) or not vnet.get("vnet"):
            continue
        limited = str(zones.get(str(vnet.get("zone")), {}).get("nodes") or "")
        nodes = [n for n in online if not limited or n in limited.split(",")]
        found += [BridgeFacts(node=n, name=str(vnet["vnet"]), vlan_aware=bool(int(vnet.get("vlanaware") or 0)),
                              kind="vnet") for n in nodes]
    return found


def _with_vnets(bridges: list[BridgeFacts], vnets: list[BridgeFacts]) -> tuple[BridgeFacts, ...]:
    """A node's own bridge wins over a VNet of the same name: that is the one a NIC gets (`bridge=NAME`)."""
    taken = {(b.node, b.name) for b in bridges}
    return tuple(bridges + [v for v in vnets if (v.node, v.name) not in taken])


def _bridges(client: PveClient, node: str) -> list[BridgeFacts]:
    interfaces = client.get(f"/nodes/{node}/network", type="any_bridge") or []
    # An OVS bridge carries VLAN tags by design; a Linux bridge only with bridge-vlan-aware.
    return [
        BridgeFacts(node=node, name=i["iface"], vlan_aware=i.get("type") == "OVSBridge" or bool(int(i.get("bridge_vlan_aware") or 0)))
        for i in sorted(interfaces, key=lambda i: i["iface"])
        if i.get("type") in ("bridge", "OVSBridge")
    ]


def _guests(client: PveClient) -> tuple[GuestFacts, ...]:
    guests = []
    for item in sorted(client.get("/cluster/resources", type="vm") or [], key=lambda r: r["vmid"]):
        kind = item.get("type", "qemu")
        config = client.get(f"/nodes/{item['node']}/{kind}/{item['vmid']}/config") or {}
        guests.append(GuestFacts(vmid=int(item["vmid"]), name=item.get("name") or "", node=item["node"], macs=_macs(config)))
    return tuple(guests)


def _macs(config: dict[str, Any]) -> tuple[str, ...]:
    macs = []
    for key, value in config.items():
        if _NET_KEY.match(key):
            match = _MAC.search(str(value))
            if match:
                macs.append(match.group(1).upper())
    return tuple(macs)


def _has_qdevice(client: PveClient) -> bool:
    return bool(_optional(client, "/cluster/config/qdevice"))


def _ceph_health(client: PveClient, storages: tuple[StorageFacts, ...]) -> str | None:
    if not any(s.type in CEPH_TYPES for s in storages):
        return None
    status = _optional(client, "/cluster/ceph/status") or {}
    return (status.get("health") or {}).get("status") or "unknown"


def _privileges(client: PveClient) -> dict[str, Any]:
    """The token's effective privileges on `/` (for a privsep token, what PVE intersects with the user's)."""
    try:
        permissions = client.get("/access/permissions", path="/") or {}
    except TargetApiError:
        return {"privileges": (), "privileges_known": False}
    return {"privileges": tuple(sorted(p for p, v in (permissions.get("/") or {}).items() if v)), "privileges_known": True}


def privileges_on(client: PveClient, path: str) -> frozenset[str]:
    """The privileges the token holds on an ACL path (`/vms/100`, `/storage/local`), as PVE works them out."""
    permissions = client.get("/access/permissions", path=path) or {}
    # PVE answers {path: {privilege: 1}} for the path asked; every entry counts, whatever path it names.
    return frozenset(p for privileges in permissions.values() for p, v in (privileges or {}).items() if v)


def _optional(client: PveClient, path: str) -> Any:
    """An answer that a cluster may not have (no Ceph, no HA, a standalone node): None instead of an error."""
    try:
        return client.get(path)
    except TargetApiError:
        return None


def _names(items: Any, key: str) -> tuple[str, ...]:
    return tuple(sorted(str(item[key]) for item in items or [] if isinstance(item, dict) and key in item))
