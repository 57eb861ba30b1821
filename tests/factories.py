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
