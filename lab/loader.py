"""Build the sample estate inside an empty vCenter simulator, through the vSphere API only.

Everything is created the way an administrator would: CreateDatacenter, CreateClusterEx, AddHost_Task,
Create{Local,Nas}Datastore, AddPortGroup, CreateDVS_Task, CreateVM_Task, ReconfigVM_Task, snapshots,
MarkAsTemplate, custom fields and DRS rules. `sample_inventory/README.md` lists what the 0.24 simulator
drops or cannot do; `LoadReport.gaps` names what went missing in this run.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyVmomi import vim

from lab import session
from lab.estate_spec import ClusterSpec, DatacenterSpec, Estate, VmSpec
from lab.session import properties, serialized_at, wait
from lab.vm_spec import DvPort, create_spec, reconfig_spec

# vSphere 7.0's API knows VirtualTPM (added in 6.7); see session.serialized_at for why the default 6.5 loses it.
VTPM_API_VERSION = "vim.version.v7_0"

Progress = Callable[[str], None]


@dataclass
class LoadReport:
    """What the load made, how long it took, and what the simulator would not take."""

    vms: int = 0
    seconds: float = 0.0
    gaps: list[str] = field(default_factory=list)


def load_estate(url: str, username: str, password: str, estate: Estate, *, datastore_root: Path,
                ca_file: Path, progress: Progress | None = None, timeout: float = 60.0) -> LoadReport:
    """Build `estate` in the empty simulator at `url` (https://host:port/sdk).

    The simulator backs datastores with local directories, so it must run on this machine:
    `datastore_root` is where they are made; `ca_file` is the simulator's certificate to trust. `progress` is called with one line per datacenter and per ten VMs.
    """
    parts = urlsplit(url)
    datastore_root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    si = session.connect(parts.hostname, parts.port or 443, username, password, ca_file, timeout)
    try:
        report = _Loader(si, datastore_root, progress or (lambda line: None)).load(estate)
    finally:
        session.disconnect(si)
    report.seconds = time.monotonic() - started
    return report


class _Loader:
    def __init__(self, si: Any, datastore_root: Path, progress: Progress):
        self.si, self.content = si, si.RetrieveContent()
        self.datastore_root, self.progress = datastore_root, progress
        self.report = LoadReport()
        self.field_keys: dict[str, int] = {}

    def load(self, estate: Estate) -> LoadReport:
        fields = self.content.customFieldsManager
        for name in estate.custom_attributes:
            self.field_keys[name] = fields.AddCustomFieldDef(name=name, moType=vim.VirtualMachine).key
        for dc in estate.datacenters:
            self._datacenter(dc)
        return self.report

    def _datacenter(self, dc: DatacenterSpec) -> None:
        self.progress(f"datacenter {dc.name}")
        datacenter = self.content.rootFolder.CreateDatacenter(name=dc.name)
        folders = properties(self.si, [datacenter], vim.Datacenter, ["vmFolder", "hostFolder", "networkFolder"])[0]
        hosts: dict[str, Any] = {}
        clusters = {c.name: self._cluster(folders["hostFolder"], c, hosts) for c in dc.clusters}
        self._datastores(dc, list(hosts.values()))
        self._portgroups(dc, hosts)
        dv_ports = self._dvswitches(dc, folders["networkFolder"], list(hosts.values()))
        vm_folders = self._folders(folders["vmFolder"], dc)
        for cluster in dc.clusters:
            cluster_ref, pools = clusters[cluster.name]
            made = {vm.name: self._vm(vm, vm_folders[vm.folder], pools[vm.resource_pool], hosts[vm.host], dv_ports)
                    for vm in cluster.vms}
            self._rules(cluster_ref, cluster, made, hosts)

    def _cluster(self, host_folder: Any, cluster: ClusterSpec, hosts: dict[str, Any]) -> tuple[Any, dict]:
        spec = vim.cluster.ConfigSpecEx(
            dasConfig=vim.cluster.DasConfigInfo(enabled=cluster.ha,
                                                admissionControlEnabled=cluster.ha_admission_control),
            drsConfig=vim.cluster.DrsConfigInfo(enabled=cluster.drs, defaultVmBehavior=cluster.drs_behavior))
        cluster_ref = host_folder.CreateClusterEx(name=cluster.name, spec=spec)
        for host in cluster.hosts:
            connect = vim.host.ConnectSpec(hostName=host.name, userName="root", password="lab", force=True)
            task = cluster_ref.AddHost_Task(spec=connect, asConnected=True)
            hosts[host.name] = wait(self.si, task, f"add host {host.name}")
        root_pool = properties(self.si, [cluster_ref], vim.ClusterComputeResource, ["resourcePool"])[0]["resourcePool"]
        pools = {None: root_pool}
        for name in cluster.resource_pools:
            pools[name] = root_pool.CreateResourcePool(name=name, spec=_pool_spec())
        return cluster_ref, pools

    def _datastores(self, dc: DatacenterSpec, hosts: list[Any]) -> None:
        for ds in dc.datastores:
            # The simulator backs a datastore with a local directory; an NFS one is named after its last part.
            path = self.datastore_root / dc.name / ds.name
            path.mkdir(parents=True, exist_ok=True)
            for host in hosts:
                system = properties(self.si, [host], vim.HostSystem, ["configManager.datastoreSystem"])[0]
                system = system["configManager.datastoreSystem"]
                if ds.type == "NFS":
                    system.CreateNasDatastore(spec=vim.host.NasVolume.Specification(
                        remoteHost=ds.remote_host, remotePath=ds.remote_path, localPath=str(path),
                        accessMode="readWrite", type="NFS"))
                else:
                    system.CreateLocalDatastore(name=ds.name, path=str(path))

    def _portgroups(self, dc: DatacenterSpec, hosts: dict[str, Any]) -> None:
        systems = properties(self.si, list(hosts.values()), vim.HostSystem, ["name", "configManager.networkSystem"])
        for pg in dc.portgroups:
            refused = []
            for row in systems:
                spec = vim.host.PortGroup.Specification(name=pg.name, vlanId=pg.vlan, vswitchName=pg.vswitch,
                                                        policy=vim.host.NetworkPolicy())
                try:
                    row["configManager.networkSystem"].AddPortGroup(portgrp=spec)
                except vim.fault.DuplicateName:
                    # The simulator keeps one network per name per datacenter and refuses the same portgroup
                    # on a second host; the first host's portgroup serves every host's VMs.
                    refused.append(row["name"])
            if refused:
                self.report.gaps.append(f"standard portgroup {pg.name!r} of {dc.name} is on {systems[0]['name']} "
                                        f"only: the simulator refused it on {len(refused)} other hosts")

    def _dvswitches(self, dc: DatacenterSpec, network_folder: Any, hosts: list[Any]) -> dict[str, DvPort]:
        ports: dict[str, DvPort] = {}
        dvs_types = vim.dvs.VmwareDistributedVirtualSwitch
        for dvs in dc.dvswitches:
            config = dvs_types.ConfigSpec(
                name=dvs.name, pvlanConfigSpec=[dvs_types.PvlanConfigSpec(operation="add", pvlanEntry=dvs_types.PvlanMapEntry(
                    primaryVlanId=p.primary, secondaryVlanId=p.secondary, pvlanType=p.type)) for p in dvs.pvlans])
            switch = wait(self.si, network_folder.CreateDVS_Task(vim.DistributedVirtualSwitch.CreateSpec(
                configSpec=config)), f"create distributed switch {dvs.name}")
            wait(self.si, switch.AddDVPortgroup_Task([_dv_portgroup(pg) for pg in dvs.portgroups]),
                 f"add the portgroups of {dvs.name}")
            # The simulator ignores the hosts of CreateDVS_Task's spec; ReconfigureDvs_Task adds them, and
            # only after the portgroups exist does it give each host those networks.
            members = dvs_types.ConfigSpec(host=[vim.dvs.HostMember.ConfigSpec(operation="add", host=h) for h in hosts])
            wait(self.si, switch.ReconfigureDvs_Task(spec=members), f"add the hosts of {dvs.name}")
            row = properties(self.si, [switch], vim.DistributedVirtualSwitch, ["uuid", "portgroup"])[0]
            for pg in properties(self.si, row["portgroup"], vim.dvs.DistributedVirtualPortgroup, ["name", "key"]):
                ports[pg["name"]] = DvPort(row["uuid"], pg["key"])
        return ports

    def _folders(self, vm_folder: Any, dc: DatacenterSpec) -> dict[str, Any]:
        folders = {"": vm_folder}
        paths = set(dc.folders) | {vm.folder for c in dc.clusters for vm in c.vms}
        for path in sorted(p for p in paths if p):
            parent = ""
            for part in path.split("/"):
                here = f"{parent}/{part}".strip("/")
                if here not in folders:
                    folders[here] = folders[parent].CreateFolder(name=part)
                parent = here
        return folders

    def _vm(self, vm: VmSpec, folder: Any, pool: Any, host: Any, dv_ports: dict[str, DvPort]) -> Any:
        with serialized_at(self.si, VTPM_API_VERSION):
            task = folder.CreateVM_Task(config=create_spec(vm, dv_ports), pool=pool, host=host)
        ref = wait(self.si, task, f"create VM {vm.name!r}")
        extra = reconfig_spec(vm)
        if extra is not None:
            wait(self.si, ref.ReconfigVM_Task(spec=extra), f"add devices to VM {vm.name!r}")
        for name, value in vm.attributes:
            self.content.customFieldsManager.SetField(entity=ref, key=self.field_keys[name], value=value)
        if vm.power_state != "poweredOff":
            self._power_on(vm, ref)
        self._snapshots(vm, ref)
        if vm.power_state == "suspended":
            wait(self.si, ref.SuspendVM_Task(), f"suspend VM {vm.name!r}")
        if vm.template:
            ref.MarkAsTemplate()
        self.report.vms += 1
        if self.report.vms % 10 == 0:
            self.progress(f"{self.report.vms} VMs")
        return ref

    def _power_on(self, vm: VmSpec, ref: Any) -> None:
        addresses = [ip for nic in vm.nics for ip in nic.ip_addresses]
        if addresses and vm.power_state == "poweredOn":
            # The simulator applies a pending guest customization at power on: that is how each NIC gets
            # the addresses the guest would report.
            wait(self.si, ref.CustomizeVM_Task(spec=_customization(vm)), f"customize VM {vm.name!r}")
            self._note_dropped_addresses(vm)
        wait(self.si, ref.PowerOnVM_Task(), f"power on VM {vm.name!r}")

    def _note_dropped_addresses(self, vm: VmSpec) -> None:
        for nic in vm.nics:
            if len(nic.ip_addresses) > 1:
                dropped = ", ".join(nic.ip_addresses[1:])
                self.report.gaps.append(
                    f"VM {vm.name!r}: its NIC on {nic.network!r} reports only {nic.ip_addresses[0]}; the "
                    f"simulator's customization gives a NIC one address ({dropped} dropped)")

    def _snapshots(self, vm: VmSpec, ref: Any) -> None:
        made: dict[str, Any] = {}
        current = None
        for snapshot in vm.snapshots:
            if snapshot.parent != current and snapshot.parent is not None:
                wait(self.si, made[snapshot.parent].RevertToSnapshot_Task(), f"revert VM {vm.name!r}")
            made[snapshot.name] = wait(self.si, ref.CreateSnapshot_Task(
                name=snapshot.name, description=snapshot.description, memory=False, quiesce=False),
                f"snapshot VM {vm.name!r}")
            current = snapshot.name

    def _rules(self, cluster_ref: Any, cluster: ClusterSpec, vms: dict[str, Any], hosts: dict[str, Any]) -> None:
        """The DRS rules (a VM-host rule with its VM and host groups) and the VMs' HA overrides, in one call."""
        specs, groups = [], []
        for rule in cluster.rules:
            if rule.kind == "vm-host":
                info, made = _vm_host_rule(rule, vms, hosts)
                groups += made
            else:
                kind = vim.cluster.AntiAffinityRuleSpec if rule.kind == "anti-affinity" else vim.cluster.AffinityRuleSpec
                info = kind(name=rule.name, enabled=rule.enabled, mandatory=rule.mandatory,
                            vm=[vms[n] for n in rule.vms])
            specs.append(vim.cluster.RuleSpec(operation="add", info=info))
        overrides = [vim.cluster.DasVmConfigSpec(operation="add", info=vim.cluster.DasVmConfigInfo(
            key=vms[h.vm], dasSettings=vim.cluster.DasVmSettings(restartPriority=h.restart_priority,
                                                                 isolationResponse=h.isolation_response)))
            for h in cluster.ha_vms]
        if specs or overrides:
            spec = vim.cluster.ConfigSpecEx(groupSpec=groups, rulesSpec=specs, dasVmConfigSpec=overrides)
            task = cluster_ref.ReconfigureComputeResource_Task(spec=spec, modify=True)
            wait(self.si, task, f"add the DRS rules and HA overrides of cluster {cluster.name}")


def _vm_host_rule(rule: Any, vms: dict[str, Any], hosts: dict[str, Any]) -> tuple[Any, list[Any]]:
    """A VM-host rule names a VM group and a host group, made with it (named after the rule)."""
    vm_group, host_group = f"{rule.name}-vms", f"{rule.name}-hosts"
    groups = [vim.cluster.GroupSpec(operation="add", info=vim.cluster.VmGroup(name=vm_group,
                                                                            vm=[vms[n] for n in rule.vms])),
              vim.cluster.GroupSpec(operation="add", info=vim.cluster.HostGroup(name=host_group,
                                                                              host=[hosts[h] for h in rule.hosts]))]
    info = vim.cluster.VmHostRuleInfo(name=rule.name, enabled=rule.enabled, mandatory=rule.mandatory,
                                      vmGroupName=vm_group, affineHostGroupName=host_group)
    return info, groups


def _pool_spec() -> vim.ResourceConfigSpec:
    def allocation() -> vim.ResourceAllocationInfo:
        return vim.ResourceAllocationInfo(reservation=0, limit=-1, expandableReservation=True,
                                          shares=vim.SharesInfo(level="normal", shares=0))
    return vim.ResourceConfigSpec(cpuAllocation=allocation(), memoryAllocation=allocation())


def _dv_portgroup(pg: Any) -> vim.dvs.DistributedVirtualPortgroup.ConfigSpec:
    types = vim.dvs.VmwareDistributedVirtualSwitch
    if pg.trunk:
        vlan = types.TrunkVlanSpec(vlanId=[vim.NumericRange(start=a, end=b) for a, b in pg.trunk], inherited=False)
    elif pg.pvlan is not None:
        vlan = types.PvlanSpec(pvlanId=pg.pvlan, inherited=False)
    else:
        vlan = types.VlanIdSpec(vlanId=pg.vlan or 0, inherited=False)
    return vim.dvs.DistributedVirtualPortgroup.ConfigSpec(
        name=pg.name, type="earlyBinding", numPorts=128, defaultPortConfig=types.VmwarePortConfigPolicy(vlan=vlan))


def _customization(vm: VmSpec) -> vim.vm.customization.Specification:
    adapters = []
    for nic in vm.nics:
        settings = vim.vm.customization.IPSettings(ip=vim.vm.customization.DhcpIpGenerator())
        if nic.ip_addresses:
            interface = ipaddress.ip_interface(nic.ip_addresses[0])
            settings = vim.vm.customization.IPSettings(ip=vim.vm.customization.FixedIp(ipAddress=str(interface.ip)),
                                                       subnetMask=str(interface.netmask))
        adapters.append(vim.vm.customization.AdapterMapping(adapter=settings))
    # The simulator reports the customization's host name as guest.hostName: the estate's name, domain included.
    hostname = vm.hostname or "localhost"
    domain = hostname.partition(".")[2]
    identity = vim.vm.customization.LinuxPrep(hostName=vim.vm.customization.FixedName(name=hostname), domain=domain)
    return vim.vm.customization.Specification(identity=identity, globalIPSettings=vim.vm.customization.GlobalIPSettings(),
                                              nicSettingMap=adapters)
