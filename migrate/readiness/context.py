"""What rules may look up beyond the VM itself, indexed once per inventory so every rule stays O(1)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from migrate.inventory.facts import Origin
from migrate.inventory.model import Cluster, Datastore, Host, Inventory, Vm
from migrate.mapping.model import Mappings, TargetFacts
from migrate.mapping.names import assign_names, vm_key


@dataclass(frozen=True)
class RuleContext:
    """The inventory's indexes, the mappings, the target's facts and the chosen Proxmox names."""

    mappings: Mappings
    target: TargetFacts
    hosts: dict[str, Host] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    datastores: dict[str, Datastore] = field(default_factory=dict)
    disk_users: dict[str, frozenset[str]] = field(default_factory=dict)  # disk file -> VM keys attaching it
    vm_host_rules: dict[str, tuple[str, ...]] = field(default_factory=dict)  # VM name -> VM-host rule names
    names: dict[str, str] = field(default_factory=dict)  # VM key -> Proxmox name
    mac_counts: dict[str, int] = field(default_factory=dict)  # upper-case MAC -> NICs in the inventory using it
    bios_uuid_users: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case BIOS UUID -> VM names
    origin: Origin | None = None  # the inventory's source and the facts it lacks

    @property
    def where(self) -> str:
        """The source, as a reason names it: `the RVTools export`, else `the inventory`."""
        return self.origin.where if self.origin else "the inventory"

    def proxmox_name(self, vm: Vm) -> str | None:
        return self.names.get(vm_key(vm))


def build_context(inventory: Inventory, mappings: Mappings, target: TargetFacts) -> RuleContext:
    """Index `inventory` for the rules and choose every VM's Proxmox name."""
    disk_users: dict[str, set[str]] = defaultdict(set)
    mac_counts: dict[str, int] = defaultdict(int)
    bios_uuid_users: dict[str, list[str]] = defaultdict(list)
    for vm in inventory.vms:
        if vm.bios_uuid:
            bios_uuid_users[vm.bios_uuid.lower()].append(vm.name)
        for disk in vm.disks:
            if disk.file_path:
                disk_users[disk.file_path].add(vm_key(vm))
        for nic in vm.nics:
            if nic.mac:
                mac_counts[nic.mac.upper()] += 1
    pinned = {name: override.name for name, override in mappings.vms.items() if override.name}
    return RuleContext(
        mappings=mappings,
        target=target,
        hosts={host.name: host for host in inventory.hosts},
        clusters={cluster.name: cluster for cluster in inventory.clusters},
        datastores={datastore.name: datastore for datastore in inventory.datastores},
        disk_users={path: frozenset(keys) for path, keys in disk_users.items()},
        vm_host_rules=_vm_host_rules(inventory.clusters),
        names=assign_names(inventory.vms, target.existing_names, pinned),
        mac_counts=dict(mac_counts),
        bios_uuid_users={uuid: tuple(names) for uuid, names in bios_uuid_users.items()},
        origin=inventory.origin,
    )


def _vm_host_rules(clusters: list[Cluster]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for cluster in clusters:
        for rule in cluster.rules:
            if rule.kind == "vm-host" and rule.enabled is not False:
                for name in rule.vms:
                    found[name].append(rule.name)
    return {name: tuple(rules) for name, rules in found.items()}
