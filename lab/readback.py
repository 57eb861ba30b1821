"""Read the lab back as plain values, to check what the loader built (tests, demo); not the discovery.

Two RetrievePropertiesEx calls: one for every named entity (to turn morefs into names and paths), one for
the VMs. No attribute access, which the 0.24 simulator does not survive on unset properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyVmomi import vim

from lab import session

VM_PATHS = ["name", "parent", "runtime.host", "runtime.powerState", "config.template", "config.guestId",
            "config.hardware.device", "snapshot", "guest.hostName"]


@dataclass
class LabVm:
    name: str
    datacenter: str
    cluster: str
    host: str
    folder: str  # "/DC/vm/Prod/Web"
    power_state: str
    template: bool
    guest_id: str
    disk_gb: list[int] = field(default_factory=list)
    nic_networks: list[str] = field(default_factory=list)
    snapshots: list[tuple[str, str | None]] = field(default_factory=list)  # (name, parent name)
    hostname: str | None = None  # as the guest reports it


def read_lab_vms(host: str, port: int, username: str, password: str, ca_file: Path) -> list[LabVm]:
    """Every VM and template in the simulator, with its place and the facts the tests compare."""
    si = session.connect(host, port, username, password, ca_file, timeout=60)
    try:
        content = si.RetrieveContent()
        entities = _entities(si, content)
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
        try:
            vm_refs = session.properties(si, [view], vim.view.ContainerView, ["view"])[0]["view"]
        finally:
            view.DestroyView()
        return [_lab_vm(row, entities) for row in session.properties(si, vm_refs, vim.VirtualMachine, VM_PATHS)]
    finally:
        session.disconnect(si)


def _entities(si: Any, content: Any) -> dict[str, dict[str, Any]]:
    """Name, parent and type of every managed entity, by moref id."""
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ManagedEntity], True)
    try:
        refs = session.properties(si, [view], vim.view.ContainerView, ["view"])[0]["view"]
        rows = session.properties(si, refs, vim.ManagedEntity, ["name", "parent"])
    finally:
        view.DestroyView()
    return {row["obj"]._moId: {"name": row["name"], "parent": row.get("parent"), "obj": row["obj"]} for row in rows}


def _lab_vm(row: dict[str, Any], entities: dict[str, dict[str, Any]]) -> LabVm:
    chain = _ancestors(row["parent"], entities)
    datacenter = next(e["name"] for e in chain if isinstance(e["obj"], vim.Datacenter))
    folder_names = [e["name"] for e in reversed(chain)]
    host = entities[row["runtime.host"]._moId]
    devices = row["config.hardware.device"]
    return LabVm(
        name=row["name"], datacenter=datacenter, cluster=entities[host["parent"]._moId]["name"], host=host["name"],
        folder="/" + "/".join(folder_names), power_state=row["runtime.powerState"],
        template=bool(row["config.template"]), guest_id=row["config.guestId"],
        disk_gb=[d.capacityInKB // (1024 * 1024) for d in devices if isinstance(d, vim.vm.device.VirtualDisk)],
        nic_networks=[_network_name(d, entities) for d in devices
                      if isinstance(d, vim.vm.device.VirtualEthernetCard)],
        snapshots=_snapshots(row.get("snapshot")), hostname=row.get("guest.hostName"),
    )


def _ancestors(ref: Any, entities: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    # The root folder is the view's container, not in it: the walk stops there.
    chain = []
    while ref is not None and ref._moId in entities:
        entity = entities[ref._moId]
        chain.append(entity)
        ref = entity["parent"]
    return chain


def _network_name(nic: Any, entities: dict[str, dict[str, Any]]) -> str:
    backing = nic.backing
    if isinstance(backing, vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo):
        return entities[backing.port.portgroupKey]["name"]
    return backing.deviceName


def _snapshots(info: Any) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []

    def walk(trees: list, parent: str | None) -> None:
        for tree in trees:
            found.append((tree.name, parent))
            walk(tree.childSnapshotList, tree.name)

    walk(info.rootSnapshotList if info else [], None)
    return found
