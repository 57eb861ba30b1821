"""Comparing the lab's API discovery with the import of the sample RVTools export.

Every fact of the inventory model is compared except those in `EXCLUDED`, each with its reason, and
a few that `_reconcile_vm`, `_network_facts` and `_datastore_facts` translate, each with a comment
saying why (mostly simulator gaps listed in sample_inventory/README.md). What is left
must be equal: the same VMs, and per VM the same disks, NICs, CD-ROMs, USB devices, snapshots and
settings; the same networks, datastores, hosts and clusters by name.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.models import ClusterRecord, DatastoreRecord, HostRecord, NetworkRecord
from migrate.inventory.model import Cluster, Datastore, Host, Inventory, Network, Vm
from migrate.inventory.store import find_source, list_vms

ASSIGNED = "assigned by vCenter (the simulator) when the lab is built; the estate, hence the export, cannot know it"
NOT_IN_RVTOOLS = "RVTools does not carry it (docs/rvtools.md, 'What stays unknown')"
VCSIM_LABEL = "vcsim labels devices by key ('disk-202-0', 'ethernet--7'), where vCenter and RVTools say 'Hard disk 1'"
VCSIM_GAP = "the 0.24 simulator does not reproduce it (sample_inventory/README.md)"
ESTATE_SILENT = "vCenter records it when the snapshot is taken; the estate does not state it"

# (model, field): why the field is not compared.
EXCLUDED: dict[tuple[str, str], str] = {
    ("Vm", "moref"): ASSIGNED,
    ("Vm", "instance_uuid"): ASSIGNED,
    ("Vm", "bios_uuid"): ASSIGNED,
    ("Vm", "guest_id"): NOT_IN_RVTOOLS,
    ("Vm", "guest_id_detected"): NOT_IN_RVTOOLS,
    ("Vm", "guest_family"): NOT_IN_RVTOOLS,
    ("Vm", "tools_running"): NOT_IN_RVTOOLS,
    ("Vm", "vtpm"): NOT_IN_RVTOOLS,
    ("Vm", "consolidation_needed"): VCSIM_GAP + ": runtime.consolidationNeeded is never set",
    ("Vm", "ft_state"): VCSIM_GAP + ": runtime.faultToleranceState is never set",
    ("Vm", "used_bytes"): VCSIM_GAP + ": the disk files are empty, and the estate gives no usage",
    ("Vm", "uncommitted_bytes"): VCSIM_GAP + ": the disk files are empty, and the estate gives no usage",
    ("Controller", "key"): ASSIGNED,
    ("Disk", "key"): ASSIGNED,
    ("Disk", "controller_key"): ASSIGNED,
    ("Disk", "uuid"): ASSIGNED,
    ("Disk", "file_path"): ASSIGNED + " (the vmdk's name; the datastore is compared)",
    ("Disk", "label"): VCSIM_LABEL,
    ("Disk", "committed_bytes"): NOT_IN_RVTOOLS + " (per disk); vcsim's disk files are empty anyway",
    ("Disk", "backing"): NOT_IN_RVTOOLS + " (flat or sparse, for a disk that is not an RDM)",
    ("Nic", "key"): ASSIGNED,
    ("Nic", "mac"): ASSIGNED,
    ("Nic", "address_type"): ASSIGNED + " (generated, with the MAC)",
    ("Nic", "label"): VCSIM_LABEL,
    ("Nic", "portgroup_key"): NOT_IN_RVTOOLS,
    ("Nic", "switch_uuid"): NOT_IN_RVTOOLS,
    ("IpAddress", "prefix_length"): NOT_IN_RVTOOLS + "; vcsim reports 0",
    ("IpAddress", "origin"): NOT_IN_RVTOOLS,
    ("Device", "label"): VCSIM_LABEL,
    ("Snapshot", "created"): ESTATE_SILENT + " (vcsim: the load time)",
    ("Snapshot", "quiesced"): ESTATE_SILENT,
    ("Snapshot", "power_state"): ESTATE_SILENT,
    ("Snapshot", "parent"): NOT_IN_RVTOOLS,
    ("Network", "moref"): ASSIGNED,
    ("Network", "switch_uuid"): NOT_IN_RVTOOLS,
    ("Network", "portgroup_key"): NOT_IN_RVTOOLS,
    ("Network", "pvlan_id"): "the writer has no documented dvPort spelling for a private VLAN, so it writes none",
    ("Datastore", "moref"): ASSIGNED,
    ("Datastore", "datacenter"): NOT_IN_RVTOOLS,
    ("Datastore", "capacity_bytes"): VCSIM_GAP + ": a datastore is a local directory with the disk's size",
    ("Datastore", "free_bytes"): VCSIM_GAP + ": a datastore is a local directory with the disk's free space",
    ("Datastore", "url"): VCSIM_GAP + ": the local directory",
    ("Host", "moref"): ASSIGNED,
    ("Host", "cpu_threads"): NOT_IN_RVTOOLS,
    ("Host", "connection_state"): NOT_IN_RVTOOLS,
    ("Host", "power_state"): NOT_IN_RVTOOLS,
    **{("Host", name): VCSIM_GAP + ": every host is a copy of vcsim's template" for name in (
        "cpu_model", "cpu_sockets", "cpu_cores", "cpu_mhz", "memory_bytes", "esxi_version", "esxi_build")},
    ("Cluster", "moref"): ASSIGNED,
    ("Cluster", "rules"): NOT_IN_RVTOOLS,
    ("Cluster", "ha_vm_overrides"): NOT_IN_RVTOOLS,
    **{("Cluster", name): VCSIM_GAP + ": CreateClusterEx ignores HA and DRS settings" for name in (
        "ha_enabled", "ha_admission_control", "drs_behavior")},
}

# RVTools has tabs for these devices only (vCD, vUSB): PCI passthrough, serial ports and the rest are left out.
COMPARED_DEVICE_KINDS = ("cdrom", "usb")

# Networks that only the simulator has: vcsim makes a "VM Network" in every datacenter.
SIMULATOR_ONLY_NETWORKS = {"VM Network"}


def differences(api: Inventory, export: Inventory) -> list[str]:
    """Every compared fact on which the two inventories disagree, one line each; empty when they agree."""
    found: list[str] = []
    _compare_named("VM", _by_name(api.vms), _by_name(export.vms), _vm_facts, found)
    api_networks = {n.name: n for n in api.networks if n.name not in SIMULATOR_ONLY_NETWORKS}
    _compare_named("network", api_networks, _by_name(export.networks), _network_facts, found)
    for label, attribute, facts in (("datastore", "datastores", _datastore_facts), ("host", "hosts", _facts),
                                    ("cluster", "clusters", _facts)):
        _compare_named(label, _by_name(getattr(api, attribute)), _by_name(getattr(export, attribute)), facts, found)
    return found


def _by_name(items: list) -> dict[str, Any]:
    return {item.name: item for item in items}


def _compare_named(label: str, api: dict, export: dict, facts, found: list[str]) -> None:
    for name in sorted(set(api) - set(export)):
        found.append(f"{label} {name!r}: discovered through the API, not in the export")
    for name in sorted(set(export) - set(api)):
        found.append(f"{label} {name!r}: in the export, not discovered through the API")
    for name in sorted(set(api) & set(export)):
        left, right = facts(api[name]), facts(export[name])
        found.extend(f"{label} {name!r} {path}: API {a!r}, export {b!r}" for path, a, b in _diff(left, right, ""))


def _diff(left: Any, right: Any, path: str):
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            yield from _diff(left.get(key), right.get(key), f"{path}.{key}" if path else key)
    elif isinstance(left, list) and isinstance(right, list) and left and isinstance(left[0], dict):
        if len(left) != len(right):
            yield f"{path} (count)", len(left), len(right)
            return
        for number, (a, b) in enumerate(zip(left, right), start=1):
            yield from _diff(a, b, f"{path}[{number}]")
    elif left != right:
        yield path, left, right


def _facts(item: Any) -> dict[str, Any]:
    """The item's compared facts: `asdict` without its excluded fields (nested ones included)."""
    kind = type(item).__name__
    return {name: value for name, value in asdict(item).items() if (kind, name) not in EXCLUDED}


def _without(values: list[dict], kind: str) -> list[dict]:
    return [{k: v for k, v in value.items() if (kind, k) not in EXCLUDED} for value in values]


def _vm_facts(vm: Vm) -> dict[str, Any]:
    facts = _facts(vm)
    disks = sorted(vm.disks, key=lambda d: (d.controller_kind or "", d.bus_number or 0, d.unit_number or 0))
    facts["disks"] = _without([asdict(d) for d in disks], "Disk")
    facts["nics"] = [{**nic, "ip_addresses": _without(nic["ip_addresses"], "IpAddress")}
                     for nic in _without([asdict(n) for n in vm.nics], "Nic")]
    facts["devices"] = _without([asdict(d) for d in vm.devices if d.kind in COMPARED_DEVICE_KINDS], "Device")
    # RVTools knows a controller only through the disks on it (vDisk), so only those are compared.
    slots = {(d.controller_kind, d.bus_number) for d in vm.disks}
    controllers = sorted((c for c in vm.controllers if (c.kind, c.bus_number) in slots),
                         key=lambda c: (c.kind, c.bus_number or 0))
    facts["controllers"] = _without([asdict(c) for c in controllers], "Controller")
    facts["snapshots"] = _without([asdict(s) for s in vm.snapshots], "Snapshot")
    return _reconcile_vm(vm, facts)


def _reconcile_vm(vm: Vm, facts: dict[str, Any]) -> dict[str, Any]:
    """Facts the simulator and vCenter/RVTools spell differently, made comparable; each says why."""
    # vSphere reports tools version "0" for a VM without tools; the estate gives none.
    if facts["tools_version"] == "0":
        facts["tools_version"] = None
    for nic, model in zip(facts["nics"], vm.nics):
        # A standard portgroup's VLAN is only on the first host's HostNetworkSystem in vcsim (README).
        if model.network_kind == "standard":
            nic["vlan"] = None
        # vcsim's CustomizeVM gives each NIC one fixed IP; the estate may give more (LoadReport.gaps names them).
        nic["ip_addresses"] = nic["ip_addresses"][:1]
    for device in facts["devices"]:
        if device["kind"] == "usb":
            # vUSB has neither the backing nor `Starts Connected`.
            device["backing"] = device["start_connected"] = None
    return facts


def _network_facts(network: Network) -> dict[str, Any]:
    facts = _facts(network)
    if network.kind == "standard":
        # vcsim keeps a standard portgroup's VLAN only where discovery does not read it (README).
        facts["vlan"] = facts["vlan_mode"] = None
        facts["host_vlans"] = []
    if network.vlan_mode == "pvlan":
        facts["vlan_mode"] = None  # see EXCLUDED["Network", "pvlan_id"]
    return facts


def _datastore_facts(datastore: Datastore) -> dict[str, Any]:
    facts = _facts(datastore)
    if facts["type"] == "OTHER":
        facts["type"] = "VMFS"  # vcsim has no CreateVmfsDatastore: the lab's VMFS datastores are local, "OTHER"
    return facts


def inventory_from_db(session: Session, source: str) -> Inventory:
    """The inventory of `source` as the database holds it, read back into the model."""
    source_id = find_source(session, source).id

    def estate(model, cls):
        return [cls.from_dict(r.facts) for r in session.scalars(select(model).where(model.source_id == source_id))]

    return Inventory(
        source=source,
        vms=[Vm.from_dict(record.facts) for record in list_vms(session, source)],
        hosts=estate(HostRecord, Host), clusters=estate(ClusterRecord, Cluster),
        datastores=estate(DatastoreRecord, Datastore), networks=estate(NetworkRecord, Network),
    )
