"""The rows of the estate tabs (hosts, clusters, datastores, switches, port groups) and of vSource/vMetaData."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from migrate.inventory.model import Inventory
from lab.rvtools.export_rows import Row, flag, mib
from migrate.discovery.rvtools.layout import RVTOOLS_VERSION


def vhost(inventory: Inventory) -> Iterator[Row]:
    for host in inventory.hosts:
        version = None
        if host.esxi_version:
            version = f"VMware ESXi {host.esxi_version}" + (f" build-{host.esxi_build}" if host.esxi_build else "")
        yield {"Host": host.name, "Datacenter": host.datacenter, "Cluster": host.cluster,
               "in Maintenance Mode": flag(host.maintenance), "CPU Model": host.cpu_model, "Speed": host.cpu_mhz,
               "# CPU": host.cpu_sockets, "# Cores": host.cpu_cores, "# Memory": mib(host.memory_bytes),
               "ESX Version": version, "Object ID": host.moref, "VI SDK Server": inventory.source}


def vcluster(inventory: Inventory) -> Iterator[Row]:
    for cluster in inventory.clusters:
        yield {"Name": cluster.name, "HA enabled": flag(cluster.ha_enabled),
               "AdmissionControlEnabled": flag(cluster.ha_admission_control), "DRS enabled": flag(cluster.drs_enabled),
               "DRS default VM behavior": cluster.drs_behavior, "Object ID": cluster.moref,
               "VI SDK Server": inventory.source}


def vdatastore(inventory: Inventory) -> Iterator[Row]:
    for store in inventory.datastores:
        yield {"Name": store.name, "Accessible": flag(store.accessible), "Type": store.type,
               "Capacity MiB": mib(store.capacity_bytes), "Free MiB": mib(store.free_bytes), "URL": store.url,
               "Object ID": store.moref, "VI SDK Server": inventory.source}


def vswitch(inventory: Inventory) -> Iterator[Row]:
    seen = set()
    for network in inventory.networks:
        for entry in network.host_vlans:
            if entry.vswitch and (entry.host, entry.vswitch) not in seen:
                seen.add((entry.host, entry.vswitch))
                yield {"Host": entry.host, "Datacenter": network.datacenter, "Switch": entry.vswitch,
                       "VI SDK Server": inventory.source}


def vport(inventory: Inventory) -> Iterator[Row]:
    for network in inventory.networks:
        if network.kind == "standard":
            for entry in network.host_vlans:
                yield {"Host": entry.host, "Datacenter": network.datacenter, "Port Group": network.name,
                       "Switch": entry.vswitch, "VLAN": entry.vlan, "VI SDK Server": inventory.source}


def dvswitch(inventory: Inventory) -> Iterator[Row]:
    seen = set()
    for network in inventory.networks:
        if network.kind == "distributed" and network.switch and network.switch not in seen:
            seen.add(network.switch)
            yield {"Switch": network.switch, "Datacenter": network.datacenter, "Name": network.switch,
                   "VI SDK Server": inventory.source}


def dvport(inventory: Inventory) -> Iterator[Row]:
    for network in inventory.networks:
        if network.kind == "distributed":
            yield {"Port": network.name, "Switch": network.switch, "VLAN": _dv_vlan(network),
                   "Object ID": network.moref, "VI SDK Server": inventory.source}


def _dv_vlan(network) -> int | str | None:
    if network.vlan_mode == "trunk":
        return ", ".join(f"{low}-{high}" if low != high else str(low) for low, high in network.trunk_ranges)
    return network.vlan


def vsource(inventory: Inventory) -> Iterator[Row]:
    yield {"Name": inventory.source, "API version": inventory.api_version, "VI SDK Server": inventory.source}


def vmetadata(inventory: Inventory) -> Iterator[Row]:
    yield {"RVTools major version": float(RVTOOLS_VERSION.rsplit(".", 2)[0]), "RVTools version": RVTOOLS_VERSION,
           "xlsx creation datetime": datetime.now().replace(microsecond=0), "Server": inventory.source}
