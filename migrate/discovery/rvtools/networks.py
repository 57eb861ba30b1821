"""vNetwork, vSwitch, vPort, dvSwitch and dvPort: NICs, port groups and their VLANs."""

from __future__ import annotations

import re

from migrate.inventory.model import IpAddress, Network, Nic, PortgroupVlan, Vm
from migrate.discovery.rvtools.table import Table
from migrate.discovery.rvtools.values import split_list
from migrate.discovery.rvtools.vms import VmIndex

ADAPTER_TYPES = {"vmxnet3": "vmxnet3", "vmxnet2": "vmxnet2", "vmxnet": "vmxnet", "e1000": "e1000",
                 "e1000e": "e1000e", "pcnet32": "pcnet32", "sriov": "sriov"}


def apply_vnetwork(table: Table, index: VmIndex) -> None:
    """NICs with adapter, MAC, port group and guest IPs; they replace the vInfo `Network #n` stand-ins."""
    seen: set[int] = set()
    for row, vm in index.rows(table):
        if id(vm) not in seen:
            seen.add(id(vm))
            vm.nics = []
        adapter = row.text("Adapter")
        ips = split_list(row.raw("IPv4 Address")) + split_list(row.raw("IPv6 Address"))
        vm.nics.append(Nic(
            key=None,
            label=row.text("NIC label"),
            adapter_type=ADAPTER_TYPES.get(adapter.lower(), adapter) if adapter else None,
            mac=row.text("Mac Address"),
            address_type=row.text("Type"),
            network=row.text("Network"),
            switch=row.text("Switch"),
            connected=row.bool("Connected"),
            start_connected=row.bool("Starts Connected"),
            ip_addresses=[IpAddress(address=ip) for ip in ips],
        ))


def read_standard_portgroups(table: Table) -> dict[str, Network]:
    """vPort: one row per port group per host; the VLAN is the port group's if every host agrees."""
    networks: dict[str, Network] = {}
    for row in table.rows():
        name = row.text("Port Group")
        host = row.text("Host")
        if name is None:
            continue
        network = networks.setdefault(name, Network(name=name, kind="standard", datacenter=row.text("Datacenter")))
        network.host_vlans.append(PortgroupVlan(host=host or "", vswitch=row.text("Switch"), vlan=row.int("VLAN")))
    for network in networks.values():
        vlans = {entry.vlan for entry in network.host_vlans}
        if len(vlans) == 1:
            network.vlan = vlans.pop()
            network.vlan_mode = _mode_of(network.vlan)
    return networks


def read_distributed_portgroups(table: Table, switch_datacenters: dict[str, str | None]) -> dict[str, Network]:
    """dvPort: one row per distributed port group, with its VLAN, trunk ranges or private VLAN."""
    networks: dict[str, Network] = {}
    for row in table.rows():
        name = row.text("Port")
        if name is None:
            continue
        switch = row.text("Switch")
        network = Network(name=name, kind="distributed", moref=row.text("Object ID"), switch=switch,
                          datacenter=switch_datacenters.get(switch or ""))
        _apply_dv_vlan(network, row.raw("VLAN"))
        networks.setdefault(name, network)
    return networks


def read_dvswitches(table: Table) -> dict[str, str | None]:
    """Distributed switch names (dvSwitch), with their datacenters."""
    return {row.text("Switch"): row.text("Datacenter") for row in table.rows() if row.text("Switch")}


def read_vswitches(table: Table) -> set[str]:
    """Standard switch names (vSwitch)."""
    return {row.text("Switch") for row in table.rows() if row.text("Switch")}


_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def _apply_dv_vlan(network: Network, value) -> None:
    """dvPort `VLAN` is an int (4.x) or text: `10`, a trunk `0-4094, 4095`, or something unparsed (left unknown)."""
    if value is None:
        return
    parts = [p for p in str(value).replace(";", ",").split(",") if p.strip()]
    ranges = [_RANGE.match(p) for p in parts]
    if not parts or not all(ranges):
        return
    bounds = [(int(m.group(1)), int(m.group(2) or m.group(1))) for m in ranges]
    if len(parts) == 1 and "-" not in parts[0]:
        network.vlan = bounds[0][0]
        network.vlan_mode = _mode_of(network.vlan)
    else:
        network.vlan_mode = "trunk"
        network.trunk_ranges = bounds


def _mode_of(vlan: int | None) -> str | None:
    if vlan is None:
        return None
    return "none" if vlan == 0 else "vlan"


def link_nics(vms: list[Vm], networks: dict[str, Network], standard: set[str], distributed: set[str]) -> None:
    """Give each NIC the kind and VLAN of its port group, where the export has the port-group tabs."""
    for vm in vms:
        for nic in vm.nics:
            network = networks.get(nic.network or "")
            switch = nic.switch
            if network is not None:
                nic.network_kind = network.kind
                nic.vlan = _vlan_for_host(network, vm.host)
            elif switch in distributed:
                nic.network_kind = "distributed"
            elif switch in standard:
                nic.network_kind = "standard"


def _vlan_for_host(network: Network, host: str | None) -> int | None:
    for entry in network.host_vlans:
        if entry.host == host:
            return entry.vlan
    return network.vlan


def networks_seen_only_on_nics(vms: list[Vm], known: dict[str, Network]) -> list[Network]:
    """Port groups that NICs use but no port-group tab lists (a trimmed export): kind stays unknown."""
    extra: dict[str, Network] = {}
    for vm in vms:
        for nic in vm.nics:
            if nic.network and nic.network not in known and nic.network not in extra:
                extra[nic.network] = Network(name=nic.network, kind=nic.network_kind or "unknown")
    return list(extra.values())
