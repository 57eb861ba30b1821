"""The inventory that discovering the sample estate should yield, as far as the estate defines it.

Facts that vCenter (or the simulator) invents when the estate is built stay None: morefs, UUIDs, MAC
addresses, file paths, snapshot dates, datastore free space. `sample_inventory/README.md` lists what the
0.24 simulator cannot reproduce, so a test comparing discovery with this inventory knows what to skip.
"""

from __future__ import annotations

import ipaddress

from lab.estate_spec import DatacenterSpec, DeviceSpec, DiskSpec, Estate, NicSpec, VmSpec
from migrate.inventory.model import (
    Cluster, ClusterRule, Controller, Datastore, Device, Disk, Host, Inventory, IpAddress, Network, Nic,
    PortgroupVlan, Snapshot, Vm,
)

GIB = 1024**3
DISK_MODES = {"persistent": "persistent", "independent_persistent": "independent_persistent",
              "independent_nonpersistent": "independent_nonpersistent"}
DEVICE_BACKINGS = {"usb": "host_device", "pci_passthrough": "passthrough"}


def estate_to_inventory(estate: Estate) -> Inventory:
    """Every VM, host, cluster, datastore and network of `estate` as inventory model objects."""
    networks = {dc.name: _networks(dc) for dc in estate.datacenters}
    inventory = Inventory(source=estate.source)
    for dc in estate.datacenters:
        by_name = {n.name: n for n in networks[dc.name]}
        inventory.networks += networks[dc.name]
        inventory.datastores += [Datastore(ds.name, datacenter=dc.name, type=ds.type,
                                           capacity_bytes=ds.capacity_gb * GIB, accessible=True)
                                 for ds in dc.datastores]
        for cluster in dc.clusters:
            inventory.clusters.append(Cluster(
                cluster.name, datacenter=dc.name, ha_enabled=cluster.ha,
                ha_admission_control=cluster.ha_admission_control, drs_enabled=cluster.drs,
                drs_behavior=cluster.drs_behavior, rules=[_rule(r) for r in cluster.rules],
                ha_vm_overrides={h.vm: _ha_settings(h) for h in cluster.ha_vms}))
            inventory.hosts += [Host(
                h.name, datacenter=dc.name, cluster=cluster.name, cpu_model=h.cpu_model, cpu_sockets=h.cpu_sockets,
                cpu_cores=h.cpu_cores, cpu_threads=h.cpu_threads, cpu_mhz=h.cpu_mhz, memory_bytes=h.memory_gb * GIB,
                esxi_version=h.esxi_version, esxi_build=h.esxi_build, maintenance=False,
                connection_state="connected", power_state="poweredOn") for h in cluster.hosts]
            inventory.vms += [_vm(vm, by_name) for vm in cluster.vms]
    return inventory


def _networks(dc: DatacenterSpec) -> list[Network]:
    hosts = [h.name for cluster in dc.clusters for h in cluster.hosts]
    networks = [Network(pg.name, "standard", datacenter=dc.name, vlan=pg.vlan,
                        vlan_mode="vlan" if pg.vlan else "none",
                        host_vlans=[PortgroupVlan(host, pg.vswitch, pg.vlan) for host in hosts])
                for pg in dc.portgroups]
    for dvs in dc.dvswitches:
        networks += [Network(pg.name, "distributed", datacenter=dc.name, switch=dvs.name, vlan=pg.vlan,
                             vlan_mode=pg.vlan_mode, trunk_ranges=list(pg.trunk), pvlan_id=pg.pvlan)
                     for pg in dvs.portgroups]
    return networks


def _resource_pool(vm: VmSpec) -> str | None:
    """vSphere unsets a template's resource pool (VirtualMachine.resourcePool), so discovery finds none."""
    return None if vm.template else vm.resource_pool or "Resources"


def _vm(vm: VmSpec, networks: dict[str, Network]) -> Vm:
    powered_on = vm.power_state == "poweredOn"
    nics = [_nic(i, nic, networks[nic.network], powered_on) for i, nic in enumerate(vm.nics, start=1)]
    addresses = [ip.address for nic in nics for ip in nic.ip_addresses]
    return Vm(
        name=vm.name, folder=_folder(vm), datacenter=vm.datacenter, cluster=vm.cluster, host=vm.host,
        resource_pool=_resource_pool(vm), template=vm.template, power_state=vm.power_state,
        connection_state="connected", guest_id=vm.guest_id, guest_full_name=vm.guest_full_name,
        guest_family="windowsGuest" if vm.guest_id.startswith("win") else "linuxGuest",
        guest_id_detected=vm.guest_id if powered_on and vm.tools in ("toolsOk", "toolsOld") else None,
        tools_status=vm.tools if powered_on else _tools_when_off(vm.tools),
        tools_version=vm.tools_version,
        tools_running="guestToolsRunning" if powered_on and vm.tools in ("toolsOk", "toolsOld")
        else "guestToolsNotRunning",
        hostname=vm.hostname if powered_on else None, primary_ip=addresses[0] if addresses else None,
        firmware=vm.firmware, secure_boot=vm.secure_boot, vtpm=vm.vtpm, hw_version=vm.hw_version,
        num_cpu=vm.cpus, cores_per_socket=vm.cores_per_socket, cpu_hot_add=vm.cpu_hot_add,
        memory_hot_add=vm.memory_hot_add, memory_mb=vm.memory_mb, memory_reservation_mb=vm.memory_reservation_mb,
        memory_reservation_locked=vm.reservation_locked, latency_sensitivity=vm.latency_sensitivity,
        annotation=vm.annotation, custom_attributes=dict(vm.attributes), cbt_enabled=vm.cbt,
        ft_state="notConfigured", consolidation_needed=False,
        snapshots=[Snapshot(s.name, description=s.description, parent=s.parent) for s in vm.snapshots],
        disks=[_disk(i, d, vm) for i, d in enumerate(vm.disks, start=1)],
        controllers=_controllers(vm), nics=nics, devices=[_device(d) for d in vm.devices],
    )


def _folder(vm: VmSpec) -> str:
    return f"/{vm.datacenter}/vm" + (f"/{vm.folder}" if vm.folder else "")


def _tools_when_off(tools: str) -> str:
    return "toolsNotInstalled" if tools == "toolsNotInstalled" else "toolsNotRunning"


def _controllers(vm: VmSpec) -> list[Controller]:
    # Every vSphere VM has two IDE controllers whether it uses them or not.
    ide = [Controller(None, "ide", "ide", bus_number=bus) for bus in (0, 1)]
    # The lab gives a VM with a USB device the xHCI controller it needs.
    usb = [Controller(None, "usb", "usb3")] if any(d.kind == "usb" for d in vm.devices) else []
    return ide + [Controller(None, c.kind, c.model, bus_number=c.bus,
                             bus_sharing=c.sharing if c.kind == "scsi" else None) for c in vm.controllers] + usb


def _disk(number: int, disk: DiskSpec, vm: VmSpec) -> Disk:
    controller = next(c for c in vm.controllers if c.ref == disk.controller)
    return Disk(
        key=None, label=f"Hard disk {number}", capacity_bytes=disk.size_gb * GIB, controller_kind=controller.kind,
        controller_model=controller.model, bus_number=controller.bus, unit_number=disk.unit,
        thin=disk.provisioning == "thin", eager_zero=disk.provisioning == "eager", datastore=disk.datastore,
        disk_mode=DISK_MODES[disk.mode], sharing=disk.sharing, backing="flat",
    )


def _nic(number: int, nic: NicSpec, network: Network, powered_on: bool) -> Nic:
    addresses = [_ip(a) for a in nic.ip_addresses] if powered_on else []
    return Nic(
        key=None, label=f"Network adapter {number}", adapter_type=nic.adapter, mac=None, address_type=None,
        network=nic.network, network_kind=network.kind, connected=nic.connected and powered_on,
        start_connected=nic.connected, vlan=network.vlan, ip_addresses=addresses,
    )


def _ip(address: str) -> IpAddress:
    interface = ipaddress.ip_interface(address)
    return IpAddress(str(interface.ip), interface.network.prefixlen, "manual")


def _device(device: DeviceSpec) -> Device:
    return Device(kind=device.kind, label=device.label, backing=device.backing or DEVICE_BACKINGS.get(device.kind),
                  summary=device.target, connected=True, start_connected=True)


def _rule(rule) -> ClusterRule:
    found = ClusterRule(rule.name, rule.kind, rule.enabled, rule.mandatory, list(rule.vms))
    if rule.kind == "vm-host":
        found.hosts, found.host_affinity = list(rule.hosts), "affine"
    return found


def _ha_settings(spec) -> dict[str, str]:
    values = {"restart_priority": spec.restart_priority, "isolation_response": spec.isolation_response}
    return {key: value for key, value in values.items() if value}
