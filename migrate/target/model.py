"""What the toolkit knows about a Proxmox VE cluster: a snapshot of plain data, read by `target discover`.

Planning and the landing-zone checks are pure functions of this snapshot; it is stored (versioned) as a
JSON document, so `to_dict`/`from_dict` round-trip it exactly. Sizes are bytes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from migrate.mapping.model import TargetFacts

CEPH_TYPES = frozenset({"rbd", "cephfs"})


@dataclass(frozen=True)
class NodeFacts:
    name: str
    online: bool
    cpu_model: str | None = None
    cpu_sockets: int | None = None
    cores: int | None = None  # logical CPUs (maxcpu)
    memory_total: int = 0
    memory_used: int = 0
    cpu_usage: float | None = None  # 0..1
    address: str | None = None  # the node's cluster address (from /cluster/status), for SSH


@dataclass(frozen=True)
class StorageFacts:
    """One storage as one node sees it; a shared storage appears once per node with the same figures."""

    node: str
    storage: str
    type: str
    shared: bool
    content: tuple[str, ...]
    total: int
    used: int
    avail: int
    active: bool = True

    @property
    def taken(self) -> int:
        """Bytes not available for new volumes (PVE's `used` may leave out what other files hold)."""
        return max(self.used, self.total - self.avail)

    @property
    def is_ceph(self) -> bool:
        return self.type in CEPH_TYPES

    @property
    def holds_images(self) -> bool:
        return "images" in self.content


@dataclass(frozen=True)
class BridgeFacts:
    """What a NIC can be attached to on a node: a Linux or OVS bridge, or an SDN VNet of a zone the node is in."""

    node: str
    name: str
    vlan_aware: bool
    kind: str = "bridge"  # "bridge" or "vnet"


@dataclass(frozen=True)
class GuestFacts:
    """A VM (or container) that exists on the target: what planning must never collide with."""

    vmid: int
    name: str
    node: str
    macs: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetSnapshot:
    """Everything `target discover` read from one cluster."""

    target: str
    pve_version: str | None = None
    cluster_name: str | None = None
    quorate: bool = True
    node_count: int = 0
    qdevice: bool = False
    ceph_health: str | None = None  # None: Ceph not used
    nodes: tuple[NodeFacts, ...] = ()
    storages: tuple[StorageFacts, ...] = ()
    bridges: tuple[BridgeFacts, ...] = ()
    guests: tuple[GuestFacts, ...] = ()
    ha_groups: tuple[str, ...] = ()
    ha_rules: tuple[str, ...] = ()
    privileges: tuple[str, ...] = ()  # the token's effective privileges on /
    privileges_known: bool = True

    def node(self, name: str) -> NodeFacts | None:
        return next((n for n in self.nodes if n.name == name), None)

    def storages_on(self, node: str) -> list[StorageFacts]:
        return [s for s in self.storages if s.node == node]

    def bridges_on(self, node: str) -> dict[str, BridgeFacts]:
        return {b.name: b for b in self.bridges if b.node == node}

    @property
    def vmids(self) -> frozenset[int]:
        return frozenset(g.vmid for g in self.guests)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(g.name for g in self.guests if g.name)

    @property
    def macs(self) -> frozenset[str]:
        return frozenset(mac for g in self.guests for mac in g.macs)

    def mapping_facts(self, virtio_win: str | None = None) -> TargetFacts:
        """What the mapper needs: the nodes' CPU models, the names and MACs already taken, and the virtio-win ISO
        the target names (a setting of the target, not discovered)."""
        models = tuple(sorted(n.cpu_model or "" for n in self.nodes))
        return TargetFacts(node_cpu_models=models, existing_names=self.names, existing_macs=self.macs,
                           virtio_win=virtio_win)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TargetSnapshot:
        nested = {"nodes": NodeFacts, "storages": StorageFacts, "bridges": BridgeFacts, "guests": GuestFacts}
        values = {k: v for k, v in data.items() if k in {f.name for f in fields(cls)}}
        for key, item_cls in nested.items():
            values[key] = tuple(_item(item_cls, item) for item in data.get(key) or [])
        for key in ("ha_groups", "ha_rules", "privileges"):
            values[key] = tuple(data.get(key) or ())
        return cls(**values)


def _item(cls: type, data: dict[str, Any]) -> Any:
    values = {k: v for k, v in data.items() if k in {f.name for f in fields(cls)}}
    for key in ("content", "macs"):
        if key in values:
            values[key] = tuple(values[key])
    return cls(**values)

