"""Room left on each node and storage of a target while a wave is placed, under the landing-zone limits.

Thin storages (LVM-thin, ZFS, Ceph RBD, file storages) are charged a disk's used bytes, which is what
the copy writes; thick LVM and SAN storages allocate the whole disk up front, so they are charged its size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from migrate.planning.candidates import Candidate, DiskNeed
from migrate.planning.model import MIB, PlannedVm, PlanSettings
from migrate.target.model import StorageFacts, TargetSnapshot

THICK_TYPES = frozenset({"lvm", "iscsi", "iscsidirect"})


@dataclass(frozen=True)
class Choice:
    node: str
    storages: dict[str, str]  # slot -> storage
    shared: frozenset[str] = frozenset()  # the chosen storages that are shared by the cluster


@dataclass
class Capacity:
    """Free memory per node and free bytes per storage (a shared storage is one pool), under the limits."""

    nodes: list[str]
    memory_total: dict[str, int]
    memory_free: dict[str, int]
    storage_free: dict[tuple[str, str], int]  # pool key -> bytes; shared: ("", storage)
    node_storages: dict[str, dict[str, StorageFacts]]
    node_bridges: dict[str, frozenset[str]]
    rule_nodes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, snapshot: TargetSnapshot, settings: PlanSettings) -> Capacity:
        nodes = sorted(n.name for n in snapshot.nodes if n.online)
        facts = {n.name: n for n in snapshot.nodes}
        storage_free: dict[tuple[str, str], int] = {}
        node_storages: dict[str, dict[str, StorageFacts]] = {node: {} for node in nodes}
        for storage in snapshot.storages:
            if storage.node not in node_storages or not storage.active or not storage.holds_images:
                continue
            node_storages[storage.node][storage.storage] = storage
            limit = settings.ceph_limit if storage.is_ceph else settings.storage_limit
            storage_free[pool_key(storage)] = int(storage.total * limit) - storage.taken
        return cls(
            nodes=nodes,
            memory_total={n: facts[n].memory_total for n in nodes},
            memory_free={n: int(facts[n].memory_total * settings.memory_limit) - facts[n].memory_used for n in nodes},
            storage_free=storage_free,
            node_storages=node_storages,
            node_bridges={n: frozenset(snapshot.bridges_on(n)) for n in nodes},
        )

    def choose(self, candidate: Candidate) -> Choice | str:
        """The node with the most memory left after placing `candidate` (ties: by name), or why no node fits.

        Nodes are tried best first, so the usual case checks one node's bridges and storages, not all of them.
        """
        memory = candidate.memory_bytes
        ranked = sorted(self.nodes, key=lambda n: (-(self.memory_free[n] - memory) / (self.memory_total[n] or 1), n))
        if candidate.preferred_node:  # the customer chose the node in the wave document: that one or none
            if candidate.preferred_node not in self.nodes:
                return (f"node {candidate.preferred_node} (chosen in the wave document) is not an online node of the "
                        f"target: choose one of {', '.join(sorted(self.nodes)) or 'none'}")
            ranked = [candidate.preferred_node]
        reasons: list[str] = []
        for node in ranked:
            outcome = self._fit(candidate, node)
            if not isinstance(outcome, str):
                return outcome
            reasons.append(outcome)
        return _summary(sorted(reasons)) if reasons else "the target has no online node"

    def take(self, candidate: Candidate, choice: Choice) -> None:
        """Book `candidate` on the chosen node and storages."""
        self.memory_free[choice.node] -= candidate.memory_bytes
        for disk in candidate.disks:
            storage = self.node_storages[choice.node][choice.storages[disk.slot]]
            self.storage_free[pool_key(storage)] -= charge(disk, storage)
        for rule in candidate.anti_affinity:
            self.rule_nodes[rule].add(choice.node)

    def reserve(self, vm: PlannedVm) -> None:
        """Book a VM that another wave's plan put here and that does not exist on the target yet."""
        if vm.node not in self.memory_free:
            return
        self.memory_free[vm.node] -= vm.memory_mib * MIB
        for disk in vm.disks:
            storage = self.node_storages[vm.node].get(disk.storage)
            if storage is not None:
                self.storage_free[pool_key(storage)] -= charge(disk, storage)

    def _fit(self, candidate: Candidate, node: str) -> Choice | str:
        missing = sorted(candidate.bridges - self.node_bridges[node])
        if missing:
            return f"bridge {', '.join(missing)} missing on {node}"
        for rule in candidate.anti_affinity:
            if node in self.rule_nodes.get(rule, ()):
                return f"anti-affinity rule {rule!r} already has a VM on {node}"
        if candidate.memory_bytes > self.memory_free[node]:
            return f"{node} has not {_gib(candidate.memory_bytes)} of memory free under the limit"
        return self._storages(candidate, node)

    def _storages(self, candidate: Candidate, node: str) -> Choice | str:
        on_node = self.node_storages[node]
        chosen: dict[str, str] = {}
        needed: dict[tuple[str, str], int] = defaultdict(int)
        for disk in candidate.disks:
            if disk.storage is None:
                continue
            storage = on_node.get(disk.storage)
            if storage is None:
                return f"storage {disk.storage} is not available for disk images on {node}"
            chosen[disk.slot] = disk.storage
            needed[pool_key(storage)] += charge(disk, storage)
        auto = [disk for disk in candidate.disks if disk.storage is None]
        if auto:
            pick = self._roomiest(on_node, auto, needed)
            if pick is None:
                return f"no storage on {node} has room for the unmapped disks"
            chosen.update({disk.slot: pick.storage for disk in auto})
            for disk in auto:
                needed[pool_key(pick)] += charge(disk, pick)
        for key, size in needed.items():
            if size > self.storage_free.get(key, 0):
                return f"storage {key[1]} on {node} has not {_gib(size)} free under the limit"
        shared = frozenset(name for name in chosen.values() if on_node[name].shared)
        return Choice(node, chosen, shared)

    def _roomiest(self, on_node: dict[str, StorageFacts], disks: list[DiskNeed], needed: dict) -> StorageFacts | None:
        best = None
        for name in sorted(on_node):
            storage = on_node[name]
            free = self.storage_free[pool_key(storage)] - needed.get(pool_key(storage), 0)
            if free >= sum(charge(d, storage) for d in disks) and (best is None or free > best[0]):
                best = (free, storage)
        return best[1] if best else None


def pool_key(storage: StorageFacts) -> tuple[str, str]:
    """A shared storage is one pool for the whole cluster; a local one is per node."""
    return ("", storage.storage) if storage.shared else (storage.node, storage.storage)


def charge(disk: DiskNeed, storage: StorageFacts) -> int:
    """The bytes a disk takes on `storage` right after the copy."""
    return disk.size_bytes if storage.type in THICK_TYPES else disk.transfer_bytes


def _summary(reasons: list[str]) -> str:
    """One line for why no node fits: the reasons per node, without repeats, the first three."""
    unique = list(dict.fromkeys(reasons))
    more = f" (and {len(unique) - 3} more)" if len(unique) > 3 else ""
    return "no node fits: " + "; ".join(unique[:3]) + more


def _gib(size: int) -> str:
    return f"{size / 1024**3:.1f} GiB"
