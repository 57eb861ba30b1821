"""The whole vSphere inventory of one vCenter, harvested in a handful of round trips."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from migrate.discovery.vcenter import estate
from migrate.clients.vsphere.collector import PAGE_SIZE, Collector
from migrate.clients.vsphere.connection import VsphereConnection
from migrate.clients.vsphere.soap import as_list
from migrate.clients.vsphere.values import text
from migrate.discovery.vcenter.vms import VM_SPEC, read_vm
from migrate.gc_pause import cyclic_gc_paused
from migrate.inventory.model import Inventory


@dataclass
class Harvest:
    inventory: Inventory
    round_trips: int


def harvest(
    connection: VsphereConnection,
    on_vm: Callable[[], None] | None = None,
    page_size: int = PAGE_SIZE,
) -> Harvest:
    """Read hosts, clusters, datastores and networks in one retrieval, then every VM, page by page.

    Each VM is turned into plain model values as soon as its part of the answer has been parsed,
    so memory grows with the inventory model, not with the SOAP answer.
    """
    collector = Collector(connection, page_size)
    with cyclic_gc_paused():
        try:
            index = estate.index_estate(collector.retrieve(estate.ESTATE_SPECS), connection.content.rootFolder._moId)
            field_names = _custom_field_names(collector, connection)
            vms = []
            for obj in collector.retrieve([VM_SPEC]):
                vms.append(read_vm(obj, index, field_names))
                if on_vm:
                    on_vm()
        finally:
            collector.close()
    vm_names = {vm.moref: vm.name for vm in vms}
    inventory = Inventory(
        source=connection.endpoint.name,
        api_version=connection.api_version,
        vms=vms,
        hosts=estate.hosts(index),
        clusters=estate.clusters(index, vm_names),
        datastores=estate.datastores(index),
        networks=estate.networks(index),
    )
    return Harvest(inventory=inventory, round_trips=collector.round_trips)


def _custom_field_names(collector: Collector, connection: VsphereConnection) -> dict[str, str]:
    """Custom attribute keys to names (a VM's customValue holds only keys)."""
    manager = connection.content.customFieldsManager
    if manager is None:
        return {}
    props = collector.retrieve_one("CustomFieldsManager", manager._moId, ["field"])
    return {text(f.get("key")): text(f.get("name")) or "" for f in as_list(props.get("field")) if isinstance(f, dict)}
