"""Inventories to write and read back: every fact RVTools carries filled, one change per test."""

from __future__ import annotations

from dataclasses import replace

from migrate.inventory.model import (
    Cluster,
    Controller,
    Datastore,
    Device,
    Disk,
    GuestPartition,
    Host,
    Inventory,
    IpAddress,
    Network,
    Nic,
    PortgroupVlan,
    Snapshot,
    Vm,
)

GIB = 1024**3


def make_disk(**overrides) -> Disk:
    disk = Disk(key=2000, label="Hard disk 1", capacity_bytes=40 * GIB, controller_kind="scsi",
                controller_model="pvscsi", bus_number=0, unit_number=0, thin=True, eager_zero=False,
                datastore="ds1", file_path="[ds1] web01/web01.vmdk", disk_mode="persistent", sharing="sharingNone",
                uuid="6000C291-f112-64ea-5152-a433c6b6da2c")
    return replace(disk, **overrides)


def make_nic(**overrides) -> Nic:
    nic = Nic(key=None, label="Network adapter 1", adapter_type="vmxnet3", mac="00:50:56:8b:00:01",
              address_type="assigned", network="VM Network", network_kind="standard", connected=True,
              start_connected=True, vlan=10, switch="vSwitch0",
              ip_addresses=[IpAddress("10.0.0.5"), IpAddress("fe80::1")])
    return replace(nic, **overrides)


def make_vm(number: int = 1, **overrides) -> Vm:
    vm = Vm(
        name=f"web{number:02d}", moref=f"vm-{1000 + number}", instance_uuid=f"500b85c1-ef0d-37fb-6897-{number:012d}",
        bios_uuid=f"4213aa00-0000-0000-0000-{number:012d}", folder="/DC1/vm/web", datacenter="DC1",
        cluster="Cluster1", host="esx1.example.com", resource_pool="/DC1/Cluster1/Resources", template=False,
        power_state="poweredOn", connection_state="connected", guest_full_name="Red Hat Enterprise Linux 9 (64-bit)",
        guest_full_name_detected="Red Hat Enterprise Linux 9.4 (64-bit)", tools_status="toolsOk",
        tools_version="12352", hostname=f"web{number:02d}.example.com", primary_ip="10.0.0.5", firmware="efi",
        secure_boot=True, hw_version="vmx-21", num_cpu=4, cores_per_socket=2, cpu_hot_add=False,
        memory_hot_add=True, memory_mb=8192, memory_reservation_mb=0, memory_reservation_locked=False,
        latency_sensitivity="normal", annotation="owner: web team", custom_attributes={"Backup status": "ok"},
        cbt_enabled=True, ft_state="notConfigured", consolidation_needed=False, used_bytes=20 * GIB,
        uncommitted_bytes=20 * GIB,
        snapshots=[Snapshot(name="before 24/1/2024 patch 100%", created="2024-01-24T10:15:00",
                            description="pre-patch", quiesced=False, power_state="poweredOn")],
        disks=[make_disk()],
        controllers=[Controller(key=None, kind="scsi", model="pvscsi", bus_number=0, bus_sharing="noSharing")],
        nics=[make_nic()],
        devices=[Device(kind="cdrom", label="CD/DVD drive 1", backing="iso", summary="[ds1] iso/rhel9.iso",
                        connected=True, start_connected=False),
                 Device(kind="usb", label="USB 1", summary="SafeNet dongle", connected=True)],
        partitions=[GuestPartition(path="/", capacity_bytes=30 * GIB, free_bytes=12 * GIB, disk_key=2000)],
    )
    return replace(vm, **overrides)


def make_inventory(vms: list[Vm] | None = None, **overrides) -> Inventory:
    inventory = Inventory(
        source="vcenter.example.com",
        api_version="8.0.3.0",
        vms=[make_vm(1), make_vm(2)] if vms is None else vms,
        hosts=[Host(name="esx1.example.com", moref="host-10", datacenter="DC1", cluster="Cluster1",
                    cpu_model="Intel(R) Xeon(R) Gold 5218", cpu_sockets=2, cpu_cores=32, cpu_mhz=2295,
                    memory_bytes=256 * GIB, esxi_version="8.0.3", esxi_build="24022510", maintenance=False)],
        clusters=[Cluster(name="Cluster1", moref="domain-c8", datacenter="DC1", ha_enabled=True,
                          ha_admission_control=True, drs_enabled=True, drs_behavior="fullyAutomated")],
        datastores=[Datastore(name="ds1", moref="datastore-11", type="VMFS", capacity_bytes=2048 * GIB,
                              free_bytes=1024 * GIB, url="ds:///vmfs/volumes/6000/", accessible=True)],
        networks=[
            Network(name="VM Network", kind="standard", datacenter="DC1", vlan=10, vlan_mode="vlan",
                    host_vlans=[PortgroupVlan(host="esx1.example.com", vswitch="vSwitch0", vlan=10)]),
            Network(name="dv-db", kind="distributed", moref="dvportgroup-21", datacenter="DC1", switch="dvs1",
                    vlan=20, vlan_mode="vlan"),
            Network(name="dv-trunk", kind="distributed", moref="dvportgroup-22", datacenter="DC1", switch="dvs1",
                    vlan_mode="trunk", trunk_ranges=[(100, 200), (300, 300)]),
        ],
    )
    return replace(inventory, **overrides)
