"""What a landing-zone rule judges: the target's snapshot with the planned VMs placed, the mapped networks and the
known host keys. Pure data; the rules in this package are pure functions of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from migrate.mapping.model import NetworkTarget
from migrate.planning.model import Plan, PlannedVm, PlanSettings
from migrate.target.known_hosts import KnownHosts
from migrate.target.reach import SshAddress
from migrate.target.model import TargetSnapshot


@dataclass
class BridgeUse:
    """How NICs use one bridge: the VLAN tags (`tag=`) and trunk lists (`trunks=`) on it; either needs VLAN-awareness."""

    vlans: set[int] = field(default_factory=set)
    trunks: set[str] = field(default_factory=set)

    def add(self, vlan: int | None, trunks: str | None) -> None:
        self.vlans.update([vlan] if vlan else [])
        self.trunks.update([trunks] if trunks else [])

    @property
    def tagged(self) -> bool:
        return bool(self.vlans or self.trunks)


@dataclass(frozen=True)
class LandingZone:
    snapshot: TargetSnapshot
    plans: Sequence[Plan] = ()
    networks: Mapping[str, NetworkTarget] = field(default_factory=dict)  # portgroup -> target
    settings: PlanSettings = PlanSettings()
    known_hosts: KnownHosts | None = None  # None: not checked (the target names no known_hosts file)
    ssh_addresses: Mapping[str, SshAddress] = field(default_factory=dict)  # node -> where the run reaches its SSH

    def not_created(self) -> list[PlannedVm]:
        """The planned VMs whose VMID is not on the target yet: a created VM is already in the usage figures."""
        vmids = self.snapshot.vmids
        return [vm for plan in self.plans for vm in plan.vms if vm.vmid not in vmids]

    def planned_vms(self) -> list[PlannedVm]:
        return [vm for plan in self.plans for vm in plan.vms]

    def wanted_bridges(self) -> dict[str, BridgeUse]:
        """Every bridge the mapping files or the plans put a NIC on, with the VLAN tags and trunks used on it."""
        wanted: dict[str, BridgeUse] = defaultdict(BridgeUse)
        for target in self.networks.values():
            if target is not None:
                wanted[target.bridge].add(target.vlan, target.trunks)
        for vm in self.planned_vms():
            for nic in vm.nics:
                wanted[nic.bridge].add(nic.vlan, nic.trunks)
        return dict(wanted)

    def online_nodes(self) -> list[str]:
        return [node.name for node in self.snapshot.nodes if node.online]


def shortlist(names: Sequence[str], most: int = 5) -> str:
    """The first few names, then ' ...' when there are more."""
    return f"{', '.join(names[:most])}{' ...' if len(names) > most else ''}"
