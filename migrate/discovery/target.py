"""Discovering a Proxmox VE target: nodes, storages, bridges, guests, quorum, Ceph, HA and privileges, read through
the API into a `TargetSnapshot` and stored as the target's next snapshot version. The caller commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from migrate.clients.proxmox import PveClient, PveEndpoint, connect
from migrate.clients.proxmox.target import (
    macs_of,
    node_bridges,
    optional,
    sdn_vnet_items,
    sdn_zones,
    vnet_vlan_aware,
)
from migrate.db.plan_models import TargetSnapshotRecord
from migrate.errors import TargetApiError
from migrate.target.model import CEPH_TYPES, BridgeFacts, GuestFacts, NodeFacts, StorageFacts, TargetSnapshot
from migrate.target.store import endpoint_of, get_target

Connector = Callable[[PveEndpoint], PveClient]


def discover_target(session: Session, name: str, secret: str | None, connector: Connector = connect) -> TargetSnapshotRecord:
    """Read the target through its API and store the snapshot as its next version."""
    target = get_target(session, name)
    snapshot = read_target(connector(endpoint_of(target, secret)), target.name)
    newest = select(func.max(TargetSnapshotRecord.version)).where(TargetSnapshotRecord.target_id == target.id)
    version = (session.scalar(newest) or 0) + 1
    record = TargetSnapshotRecord(target_id=target.id, version=version, facts=snapshot.to_dict())
    session.add(record)
    session.flush()
    return record


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
        qdevice=bool(optional(client, "/cluster/config/qdevice")),
        ceph_health=_ceph_health(client, storages),
        nodes=nodes,
        storages=storages,
        bridges=_with_vnets([b for node in online for b in _bridges(client, node)], _vnets(client, online)),
        guests=_guests(client),
        ha_groups=_names(optional(client, "/cluster/ha/groups"), "group"),
        ha_rules=_names(optional(client, "/cluster/ha/rules"), "rule"),
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


def _bridges(client: PveClient, node: str) -> list[BridgeFacts]:
    return [BridgeFacts(node=node, name=name, vlan_aware=aware) for name, aware in node_bridges(client, node).items()]


def _vnets(client: PveClient, online: list[str]) -> list[BridgeFacts]:
    """The SDN VNets as bridges of the online nodes of their zone (a zone without a node list spans every node)."""
    zones = sdn_zones(client)
    found = []
    for vnet in sdn_vnet_items(client):
        limited = str(zones.get(str(vnet.get("zone")), {}).get("nodes") or "")
        nodes = [n for n in online if not limited or n in limited.split(",")]
        found += [BridgeFacts(node=n, name=str(vnet["vnet"]), vlan_aware=vnet_vlan_aware(vnet), kind="vnet")
                  for n in nodes]
    return found


def _with_vnets(bridges: list[BridgeFacts], vnets: list[BridgeFacts]) -> tuple[BridgeFacts, ...]:
    """A node's own bridge wins over a VNet of the same name: that is the one a NIC gets (`bridge=NAME`)."""
    taken = {(b.node, b.name) for b in bridges}
    return tuple(bridges + [v for v in vnets if (v.node, v.name) not in taken])


def _guests(client: PveClient) -> tuple[GuestFacts, ...]:
    guests = []
    for item in sorted(client.get("/cluster/resources", type="vm") or [], key=lambda r: r["vmid"]):
        kind = item.get("type", "qemu")
        config = client.get(f"/nodes/{item['node']}/{kind}/{item['vmid']}/config") or {}
        guests.append(GuestFacts(vmid=int(item["vmid"]), name=item.get("name") or "", node=item["node"], macs=macs_of(config)))
    return tuple(guests)


def _ceph_health(client: PveClient, storages: tuple[StorageFacts, ...]) -> str | None:
    if not any(s.type in CEPH_TYPES for s in storages):
        return None
    status = optional(client, "/cluster/ceph/status") or {}
    return (status.get("health") or {}).get("status") or "unknown"


def _privileges(client: PveClient) -> dict[str, Any]:
    """The token's effective privileges on `/` (for a privsep token, what PVE intersects with the user's)."""
    try:
        permissions = client.get("/access/permissions", path="/") or {}
    except TargetApiError:
        return {"privileges": (), "privileges_known": False}
    return {"privileges": tuple(sorted(p for p, v in (permissions.get("/") or {}).items() if v)), "privileges_known": True}


def _names(items: Any, key: str) -> tuple[str, ...]:
    return tuple(sorted(str(item[key]) for item in items or [] if isinstance(item, dict) and key in item))
