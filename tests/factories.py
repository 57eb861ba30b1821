"""Factories with sensible defaults: each test changes only the fields its case is about."""

from __future__ import annotations

import uuid

from migrate.inventory.model import Disk, Inventory, Nic, Vm


def make_vm(name: str = "app-01", **overrides) -> Vm:
    key = uuid.uuid5(uuid.NAMESPACE_DNS, name)
    defaults = dict(
        name=name,
        moref=f"vm-{key.int % 100000}",
        instance_uuid=str(key),
        bios_uuid=str(uuid.uuid5(key, "bios")),
        folder="/DC1/vm",
        datacenter="DC1",
        cluster="Prod",
        host="esx01",
        power_state="poweredOn",
        template=False,
        guest_id="rhel9_64Guest",
        firmware="bios",
        num_cpu=2,
        cores_per_socket=1,
        memory_mb=4096,
        disks=[Disk(key=2000, label="Hard disk 1", capacity_bytes=40 * 1024**3, datastore="ds1",
                    file_path=f"[ds1] {name}/{name}.vmdk", controller_kind="scsi", controller_model="pvscsi")],
        nics=[Nic(key=4000, label="Network adapter 1", adapter_type="vmxnet3", mac="00:50:56:00:00:01",
                  address_type="assigned", network="VM Network", network_kind="standard")],
    )
    return Vm(**{**defaults, **overrides})


def make_inventory(*vms: Vm, source: str = "vc.example.com") -> Inventory:
    return Inventory(source=source, api_version="8.0.3.0", vms=list(vms))


def make_snapshot(nodes: int = 3, memory_gib: int = 64, used_gib: int = 8, storage_gib: int = 1000, *,
                  shared: bool = False, storage_type: str = "lvmthin", bridges=(("vmbr0", True),),
                  guests=(), quorate: bool = True, target: str = "pve-prod", **overrides):
    """A target snapshot: `nodes` online nodes with the same CPU, one images storage `data`, the given bridges."""
    from migrate.target.model import BridgeFacts, NodeFacts, StorageFacts, TargetSnapshot

    gib = 1024**3
    names = [f"pve{i}" for i in range(1, nodes + 1)]
    values = dict(
        target=target, pve_version="9.0.10", cluster_name="prod", quorate=quorate, node_count=nodes,
        nodes=tuple(NodeFacts(n, True, "AMD EPYC 7543", 2, 64, memory_gib * gib, used_gib * gib, 0.1) for n in names),
        storages=tuple(StorageFacts(n, "data", storage_type, shared, ("images", "rootdir"), storage_gib * gib, 0,
                                    storage_gib * gib) for n in names),
        bridges=tuple(BridgeFacts(n, b, aware) for n in names for b, aware in bridges),
        guests=tuple(guests),
    )
    return TargetSnapshot(**{**values, **overrides})


def store_inventory(session, inventory) -> None:
    """Save `inventory` as a successful discovery, committed."""
    from migrate.inventory.store import save_inventory, start_run

    run = start_run(session, inventory.source, "vsphere-api")
    save_inventory(session, run.id, inventory)
    session.commit()
