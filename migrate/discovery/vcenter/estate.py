"""Hosts, clusters, datastores, networks and the inventory tree, from one PropertyCollector retrieval."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from migrate.clients.vsphere.soap import ObjectContent, PropertySpec, as_list
from migrate.clients.vsphere.values import boolean, dig, integer, kind_of, text
from migrate.inventory.model import Cluster, ClusterRule, Datastore, Host, Network, PortgroupVlan

ESTATE_SPECS = (
    PropertySpec("Folder", ("name", "parent")),
    PropertySpec("Datacenter", ("name", "parent")),
    PropertySpec("ComputeResource", ("name", "parent")),
    PropertySpec("ClusterComputeResource", ("name", "parent", "configurationEx")),
    PropertySpec("ResourcePool", ("name", "parent")),
    PropertySpec("HostSystem", (
        "name", "parent", "summary.hardware", "summary.config.product", "runtime.inMaintenanceMode",
        "runtime.connectionState", "runtime.powerState", "config.network.portgroup",
    )),
    PropertySpec("Datastore", ("name", "parent", "summary")),
    PropertySpec("Network", ("name", "parent")),
    PropertySpec("OpaqueNetwork", ("name", "parent")),
    PropertySpec("DistributedVirtualPortgroup", (
        "name", "parent", "key", "config.distributedVirtualSwitch", "config.defaultPortConfig", "config.uplink",
    )),
    PropertySpec("DistributedVirtualSwitch", ("name", "parent", "uuid", "config.uplinkPortgroup")),
)


@dataclass
class EstateIndex:
    """Everything a VM's facts refer to by moref, resolved to names and paths."""

    root: str | None = None  # the root folder's moref, which a ContainerView does not list
    objects: dict[str, ObjectContent] = field(default_factory=dict)
    host_names: dict[str, str] = field(default_factory=dict)
    host_cluster: dict[str, str | None] = field(default_factory=dict)
    host_vlans: dict[str, dict[str, int]] = field(default_factory=dict)  # host moref -> portgroup -> VLAN
    datastore_names: dict[str, str] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)  # by moref
    networks_by_key: dict[str, Network] = field(default_factory=dict)  # distributed, by portgroup key
    switch_names: dict[str, str] = field(default_factory=dict)  # DVS uuid -> name

    def name(self, moref: str | None) -> str | None:
        obj = self.objects.get(moref) if moref else None
        return text(obj.props.get("name")) if obj else None

    def datacenter_of(self, moref: str | None) -> str | None:
        for obj in self._ancestors(moref):
            if obj.type == "Datacenter":
                return text(obj.props.get("name"))
        return None

    def folder_path(self, moref: str | None) -> str | None:
        """The inventory path of a folder: /DC/vm/sub, without the root folder."""
        names = [text(o.props.get("name")) or "" for o in self._ancestors(moref)]
        return "/" + "/".join(reversed(names)) if names else None

    def _ancestors(self, moref: str | None) -> Iterable[ObjectContent]:
        seen = set()
        while moref and moref != self.root and moref in self.objects and moref not in seen:
            seen.add(moref)
            obj = self.objects[moref]
            yield obj
            moref = text(obj.props.get("parent"))


def index_estate(objects: Iterable[ObjectContent], root: str | None = None) -> EstateIndex:
    index = EstateIndex(root=root)
    for obj in objects:
        index.objects[obj.moref] = obj
    for obj in index.objects.values():
        if obj.type == "HostSystem":
            index.host_names[obj.moref] = text(obj.props.get("name")) or obj.moref
            parent = index.objects.get(text(obj.props.get("parent")) or "")
            index.host_cluster[obj.moref] = text(parent.props.get("name")) if parent and parent.type == "ClusterComputeResource" else None
            index.host_vlans[obj.moref] = _host_portgroup_vlans(obj)
        elif obj.type == "Datastore":
            index.datastore_names[obj.moref] = text(obj.props.get("name")) or obj.moref
        elif obj.type in ("DistributedVirtualSwitch", "VmwareDistributedVirtualSwitch"):
            index.switch_names[text(obj.props.get("uuid")) or obj.moref] = text(obj.props.get("name")) or obj.moref
    for obj in index.objects.values():
        network = _network(obj, index)
        if network is not None:
            index.networks[obj.moref] = network
            if network.portgroup_key:
                index.networks_by_key[network.portgroup_key] = network
    return index


def _host_portgroup_vlans(obj: ObjectContent) -> dict[str, int]:
    vlans = {}
    for portgroup in as_list(obj.props.get("config.network.portgroup")):
        name = text(dig(portgroup, "spec", "name"))
        if name:
            vlans[name] = integer(dig(portgroup, "spec", "vlanId")) or 0
    return vlans


def hosts(index: EstateIndex) -> list[Host]:
    result = []
    for obj in _of_type(index, "HostSystem"):
        hardware = obj.props.get("summary.hardware") or {}
        product = obj.props.get("summary.config.product") or {}
        result.append(Host(
            name=index.host_names[obj.moref],
            moref=obj.moref,
            datacenter=index.datacenter_of(obj.moref),
            cluster=index.host_cluster[obj.moref],
            cpu_model=text(hardware.get("cpuModel")),
            cpu_sockets=integer(hardware.get("numCpuPkgs")),
            cpu_cores=integer(hardware.get("numCpuCores")),
            cpu_threads=integer(hardware.get("numCpuThreads")),
            cpu_mhz=integer(hardware.get("cpuMhz")),
            memory_bytes=integer(hardware.get("memorySize")),
            esxi_version=text(product.get("version")),
            esxi_build=text(product.get("build")),
            maintenance=boolean(obj.props.get("runtime.inMaintenanceMode")),
            connection_state=text(obj.props.get("runtime.connectionState")),
            power_state=text(obj.props.get("runtime.powerState")),
        ))
    return result


def clusters(index: EstateIndex, vm_names: dict[str, str]) -> list[Cluster]:
    result = []
    for obj in _of_type(index, "ClusterComputeResource"):
        config = obj.props.get("configurationEx") or {}
        groups = _groups(config, vm_names, index.host_names)
        result.append(Cluster(
            name=text(obj.props.get("name")) or obj.moref,
            moref=obj.moref,
            datacenter=index.datacenter_of(obj.moref),
            ha_enabled=boolean(dig(config, "dasConfig", "enabled")),
            ha_admission_control=boolean(dig(config, "dasConfig", "admissionControlEnabled")),
            drs_enabled=boolean(dig(config, "drsConfig", "enabled")),
            drs_behavior=text(dig(config, "drsConfig", "defaultVmBehavior")),
            rules=[_rule(rule, vm_names, groups) for rule in as_list(config.get("rule"))],
            ha_restart_priority=text(dig(config, "dasConfig", "defaultVmSettings", "restartPriority")),
            ha_isolation_response=text(dig(config, "dasConfig", "defaultVmSettings", "isolationResponse")),
            ha_vm_overrides=_ha_overrides(config, vm_names),
        ))
    return result


def _groups(config: dict[str, Any], vm_names: dict[str, str], host_names: dict[str, str]) -> dict[str, list[str]]:
    """The cluster's VM and host groups by name, their members by name (what VM-host rules refer to)."""
    found = {}
    for group in as_list(config.get("group")):
        vms = kind_of(group) == "ClusterVmGroup"
        members = as_list(group.get("vm") if vms else group.get("host"))
        names = vm_names if vms else host_names
        found[text(group.get("name")) or ""] = [names.get(moref, moref) for moref in members]
    return found


def _ha_overrides(config: dict[str, Any], vm_names: dict[str, str]) -> dict[str, dict[str, str]]:
    """VM name -> the HA restart priority and isolation response it sets against the cluster's defaults."""
    found = {}
    for entry in as_list(config.get("dasVmConfig")):
        settings = entry.get("dasSettings") or {}
        values = {"restart_priority": text(settings.get("restartPriority")) or text(entry.get("restartPriority")),
                  "isolation_response": text(settings.get("isolationResponse"))}
        values = {key: value for key, value in values.items() if value}
        if values:
            moref = text(entry.get("key")) or ""
            found[vm_names.get(moref, moref)] = values
    return found


_RULE_KINDS = {
    "ClusterAffinityRuleSpec": "affinity",
    "ClusterAntiAffinityRuleSpec": "anti-affinity",
    "ClusterVmHostRuleInfo": "vm-host",
}


def _rule(rule: dict[str, Any], vm_names: dict[str, str], groups: dict[str, list[str]]) -> ClusterRule:
    kind = _RULE_KINDS.get(kind_of(rule), "other")
    found = ClusterRule(
        name=text(rule.get("name")) or "",
        kind=kind,
        enabled=boolean(rule.get("enabled")),
        mandatory=boolean(rule.get("mandatory")),
        vms=[vm_names.get(moref, moref) for moref in as_list(rule.get("vm"))],
    )
    if kind == "vm-host":  # a VM-host rule names groups, not VMs and hosts
        affine = text(rule.get("affineHostGroupName"))
        found.vms = list(groups.get(text(rule.get("vmGroupName")) or "", []))
        found.hosts = list(groups.get(affine or text(rule.get("antiAffineHostGroupName")) or "", []))
        found.host_affinity = "affine" if affine else "anti-affine"
    return found


def datastores(index: EstateIndex) -> list[Datastore]:
    result = []
    for obj in _of_type(index, "Datastore"):
        summary = obj.props.get("summary") or {}
        result.append(Datastore(
            name=index.datastore_names[obj.moref],
            moref=obj.moref,
            datacenter=index.datacenter_of(obj.moref),
            type=text(summary.get("type")),
            capacity_bytes=integer(summary.get("capacity")),
            free_bytes=integer(summary.get("freeSpace")),
            url=text(summary.get("url")),
            accessible=boolean(summary.get("accessible")),
        ))
    return result


def networks(index: EstateIndex) -> list[Network]:
    return sorted(index.networks.values(), key=lambda n: (n.datacenter or "", n.name))


def _network(obj: ObjectContent, index: EstateIndex) -> Network | None:
    name = text(obj.props.get("name")) or obj.moref
    datacenter = index.datacenter_of(obj.moref)
    if obj.type == "DistributedVirtualPortgroup":
        switch = index.objects.get(text(obj.props.get("config.distributedVirtualSwitch")) or "")
        if _is_uplink(obj, switch):
            return None  # an uplink portgroup carries the switch's uplinks, never a VM's NIC
        network = Network(
            name=name, kind="distributed", moref=obj.moref, datacenter=datacenter,
            switch=text(switch.props.get("name")) if switch else None,
            switch_uuid=text(switch.props.get("uuid")) if switch else None,
            portgroup_key=text(obj.props.get("key")),
        )
        _apply_vlan_spec(network, dig(obj.props.get("config.defaultPortConfig"), "vlan"))
        return network
    if obj.type == "OpaqueNetwork":
        return Network(name=name, kind="opaque", moref=obj.moref, datacenter=datacenter)
    if obj.type == "Network":
        host_vlans = [
            PortgroupVlan(host=index.host_names[host], vswitch=None, vlan=vlans[name])
            for host, vlans in sorted(index.host_vlans.items(), key=lambda kv: index.host_names[kv[0]])
            if name in vlans and index.datacenter_of(host) == datacenter
        ]
        distinct = {v.vlan for v in host_vlans}
        network = Network(name=name, kind="standard", moref=obj.moref, datacenter=datacenter, host_vlans=host_vlans)
        if len(distinct) == 1:
            network.vlan = distinct.pop()
            network.vlan_mode = _standard_vlan_mode(network.vlan)
        return network
    return None


def _is_uplink(portgroup: ObjectContent, switch: ObjectContent | None) -> bool:
    flag = boolean(portgroup.props.get("config.uplink"))
    if flag is not None:
        return flag
    if switch is None:
        return False
    if portgroup.moref in as_list(switch.props.get("config.uplinkPortgroup")):
        return True
    # Before vSphere 6.5 (and in the simulator) nothing else marks it; vCenter names it "<switch>-DVUplinks-<n>".
    name = text(portgroup.props.get("name")) or ""
    return re.fullmatch(re.escape(text(switch.props.get("name")) or "") + r"-DVUplinks-\d+", name) is not None


def _standard_vlan_mode(vlan: int) -> str:
    # On a standard switch, VLAN 4095 passes every tag to the guest (virtual guest tagging).
    if vlan == 4095:
        return "trunk"
    return "vlan" if vlan else "none"


def _apply_vlan_spec(network: Network, spec: Any) -> None:
    kind = kind_of(spec)
    if kind == "VmwareDistributedVirtualSwitchVlanIdSpec":
        network.vlan = integer(spec.get("vlanId")) or 0
        network.vlan_mode = "vlan" if network.vlan else "none"
    elif kind == "VmwareDistributedVirtualSwitchTrunkVlanSpec":
        network.vlan_mode = "trunk"
        network.trunk_ranges = [
            (integer(r.get("start")) or 0, integer(r.get("end")) or 0) for r in as_list(spec.get("vlanId"))
        ]
    elif kind == "VmwareDistributedVirtualSwitchPvlanSpec":
        network.vlan_mode = "pvlan"
        network.pvlan_id = integer(spec.get("pvlanId"))


def _of_type(index: EstateIndex, *types: str) -> list[ObjectContent]:
    return sorted((o for o in index.objects.values() if o.type in types), key=lambda o: o.props.get("name") or "")
