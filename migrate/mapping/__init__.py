"""Mapping: VMware VMs to Proxmox VE configs, driven by the YAML files of `mappings/`."""

from __future__ import annotations

from migrate.errors import NotFoundError
from migrate.inventory.model import Inventory
from migrate.mapping.config import ProxmoxConfig
from migrate.mapping.files import load_mappings
from migrate.mapping.mapper import map_vm
from migrate.mapping.model import Mappings, NetworkTarget, StorageTarget, TargetFacts, VmOverride
from migrate.mapping.names import assign_names, proxmox_name, vm_key
from migrate.mapping.source_map import MappingCheck, check_mappings, check_source_map, write_source_map


def map_inventory_vm(inventory: Inventory, vm_name: str, mappings: Mappings, target_facts: TargetFacts) -> ProxmoxConfig:
    """The config of the VM named `vm_name` (or with that moref), named as `assess` names it: unique in the whole target."""
    matches = [vm for vm in inventory.vms if vm_name in (vm.name, vm.moref)]
    if not matches:
        raise NotFoundError(f"VM {vm_name!r} is not in the inventory of {inventory.source}: check the name with `migrate inventory list`")
    if len(matches) > 1:
        morefs = ", ".join(vm.moref or "?" for vm in matches)
        raise NotFoundError(f"{len(matches)} VMs are named {vm_name!r} in {inventory.source}: give the moref instead ({morefs})")
    pinned = {name: override.name for name, override in mappings.vms.items() if override.name}
    names = assign_names(inventory.vms, target_facts.existing_names, pinned)
    return map_vm(matches[0], mappings, target_facts, name=names[vm_key(matches[0])])


__all__ = [
    "MappingCheck", "Mappings", "NetworkTarget", "ProxmoxConfig", "StorageTarget", "TargetFacts", "VmOverride",
    "assign_names", "check_mappings", "check_source_map", "load_mappings", "map_inventory_vm", "map_vm", "proxmox_name",
    "write_source_map",
]
