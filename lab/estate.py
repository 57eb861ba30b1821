"""Read the sample estate (`sample_inventory/estate.yaml`) into plain dataclasses, refusing mistakes clearly.

The file is hand-edited, so every mistake names its place ("DC-East / Prod / vm sql-prd-01: unknown key
'memroy_gb'") and the fix. The file's own header documents the format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lab.estate_fields import as_list as _list, build as _build, check_unique as _check_unique
from lab.estate_fields import mapping as _mapping
from lab.estate_inventory import estate_to_inventory
from lab.estate_spec import (
    ClusterSpec, ControllerSpec, DatacenterSpec, DatastoreSpec, DeviceSpec, DiskSpec, DvPortgroupSpec,
    DvSwitchSpec, Estate, HaVmSpec, HostSpec, NicSpec, PortgroupSpec, PvlanSpec, RuleSpec, SnapshotSpec, VmSpec,
)
from lab.estate_vm import VM_KEYS, parse_vms
from migrate.errors import InputFileError

__all__ = ["Estate", "SAMPLE_ESTATE", "estate_to_inventory", "load_estate_file", "parse_estate"]

SAMPLE_ESTATE = Path(__file__).resolve().parents[1] / "sample_inventory" / "estate.yaml"


def load_estate_file(path: Path | str = SAMPLE_ESTATE) -> Estate:
    """The estate described by the YAML file at `path` (the sample estate by default)."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(f"cannot read the estate file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise InputFileError(f"{path} is not valid YAML: {exc}") from exc
    try:
        return parse_estate(document)
    except InputFileError as exc:
        raise InputFileError(f"{path}: {exc}") from exc


def parse_estate(document: Any) -> Estate:
    """The estate described by an already-parsed YAML document."""
    doc = _mapping(document, "the estate", {"source", "custom_attributes", "defaults", "profiles", "datacenters"},
                   required={"source", "datacenters"})
    attributes = tuple(_list(doc.get("custom_attributes", []), "custom_attributes"))
    profiles = _mapping(doc.get("profiles", {}), "profiles", None)
    for name, profile in profiles.items():
        _mapping(profile, f"profile {name}", VM_KEYS | {"nic_adapter"})
    defaults = _mapping(doc.get("defaults", {}), "defaults", VM_KEYS | {"nic_adapter"})
    datacenters = tuple(_datacenter(dc, defaults, profiles, attributes)
                        for dc in _list(doc["datacenters"], "datacenters"))
    estate = Estate(source=str(doc["source"]), datacenters=datacenters, custom_attributes=attributes)
    _check_unique([vm.name for vm in estate.vms()], "VM name")
    return estate


def _datacenter(raw: Any, defaults: dict, profiles: dict, attributes: tuple[str, ...]) -> DatacenterSpec:
    doc = _mapping(raw, "a datacenter", {"name", "datastores", "portgroups", "dvswitches", "folders", "clusters"},
                   required={"name", "datastores"})
    where = str(doc["name"])
    datastores = tuple(_build(DatastoreSpec, ds, f"{where}: datastore") for ds in _list(doc["datastores"], where))
    portgroups = tuple(_build(PortgroupSpec, pg, f"{where}: portgroup") for pg in _list(doc.get("portgroups", []), where))
    dvswitches = tuple(_dvswitch(dvs, where) for dvs in _list(doc.get("dvswitches", []), where))
    for ds in datastores:
        if ds.type not in ("VMFS", "NFS"):
            raise InputFileError(f"{where}: datastore {ds.name} has type {ds.type!r}: use VMFS or NFS")
        if ds.type == "NFS" and not (ds.remote_host and ds.remote_path):
            raise InputFileError(f"{where}: NFS datastore {ds.name} needs remote_host and remote_path")
    networks = [pg.name for pg in portgroups] + [pg.name for dvs in dvswitches for pg in dvs.portgroups]
    _check_unique([ds.name for ds in datastores], f"{where}: datastore name")
    _check_unique(networks, f"{where}: network name")
    context = _DcContext(where, defaults, profiles, attributes, {ds.name: ds for ds in datastores}, set(networks))
    clusters = tuple(_cluster(c, context) for c in _list(doc.get("clusters", []), where))
    folders = tuple(str(f) for f in _list(doc.get("folders", []), where))
    return DatacenterSpec(where, datastores, portgroups, dvswitches, folders, clusters)


class _DcContext:
    """What a VM of one datacenter may refer to."""

    def __init__(self, where: str, defaults: dict, profiles: dict, attributes: tuple[str, ...],
                 datastores: dict[str, DatastoreSpec], networks: set[str]):
        self.where, self.defaults, self.profiles, self.attributes = where, defaults, profiles, attributes
        self.datastores, self.networks = datastores, networks

    @property
    def default_datastore(self) -> str:
        vmfs = [name for name, ds in self.datastores.items() if ds.type == "VMFS"]
        return (vmfs or list(self.datastores))[0]


def _dvswitch(raw: Any, where: str) -> DvSwitchSpec:
    doc = _mapping(raw, f"{where}: a distributed switch", {"name", "portgroups", "pvlans"}, required={"name"})
    name = f"{where}: switch {doc['name']}"
    pvlans = tuple(_build(PvlanSpec, p, f"{name}: pvlan") for p in _list(doc.get("pvlans", []), name))
    portgroups = []
    for pg in _list(doc.get("portgroups", []), name):
        spec = _build(DvPortgroupSpec, pg, f"{name}: portgroup")
        trunk = tuple(_trunk_range(r, f"{name}: portgroup {spec.name}") for r in spec.trunk or ())
        spec = DvPortgroupSpec(spec.name, spec.vlan, trunk, spec.pvlan)
        if sum(x is not None and x != () for x in (spec.vlan, spec.pvlan, spec.trunk or None)) > 1:
            raise InputFileError(f"{name}: portgroup {spec.name} sets more than one of vlan, trunk and pvlan")
        if spec.pvlan is not None and spec.pvlan not in {p.secondary for p in pvlans}:
            raise InputFileError(f"{name}: portgroup {spec.name} uses private VLAN {spec.pvlan}, "
                                 f"which the switch's pvlans do not define")
        portgroups.append(spec)
    return DvSwitchSpec(str(doc["name"]), tuple(portgroups), pvlans)


def _trunk_range(raw: Any, where: str) -> tuple[int, int]:
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, int) for v in raw) and
            0 <= raw[0] <= raw[1] <= 4094):
        raise InputFileError(f"{where}: trunk range {raw!r} must be [from, to] with 0 <= from <= to <= 4094")
    return raw[0], raw[1]


def _cluster(raw: Any, context: _DcContext) -> ClusterSpec:
    keys = {"name", "hosts", "ha", "ha_admission_control", "drs", "drs_behavior", "resource_pools", "rules", "vms",
            "ha_vms"}
    doc = _mapping(raw, f"{context.where}: a cluster", keys, required={"name", "hosts"})
    where = f"{context.where} / {doc['name']}"
    hosts = tuple(_build(HostSpec, h, f"{where}: host") for h in _list(doc["hosts"], where))
    if not hosts:
        raise InputFileError(f"{where}: a cluster needs at least one host")
    pools = tuple(str(p) for p in _list(doc.get("resource_pools", []), where))
    placement = _Placement(context, str(doc["name"]), [h.name for h in hosts], pools)
    vms = parse_vms(_list(doc.get("vms", []), where), placement, where)
    names = {vm.name for vm in vms}
    rules = tuple(_rule(r, where, names, {h.name for h in hosts}) for r in _list(doc.get("rules", []), where))
    ha_vms = tuple(_ha_vm(h, where, names) for h in _list(doc.get("ha_vms", []), where))
    options = {k: doc[k] for k in ("ha", "ha_admission_control", "drs", "drs_behavior") if k in doc}
    return ClusterSpec(str(doc["name"]), hosts, resource_pools=pools, rules=rules, vms=tuple(vms), ha_vms=ha_vms,
                       **options)


class _Placement(_DcContext):
    """What a VM of one cluster may refer to, and the hosts it is spread over."""

    def __init__(self, dc: _DcContext, cluster: str, hosts: list[str], pools: tuple[str, ...]):
        super().__init__(dc.where, dc.defaults, dc.profiles, dc.attributes, dc.datastores, dc.networks)
        self.datacenter, self.cluster, self.hosts, self.pools = dc.where, cluster, hosts, pools


def _rule(raw: Any, where: str, vm_names: set[str], host_names: set[str]) -> RuleSpec:
    rule = _build(RuleSpec, raw, f"{where}: rule")
    if rule.kind not in ("affinity", "anti-affinity", "vm-host"):
        raise InputFileError(f"{where}: rule {rule.name} has kind {rule.kind!r}: use affinity, anti-affinity or "
                             "vm-host")
    missing = [vm for vm in rule.vms if vm not in vm_names]
    if missing:
        raise InputFileError(f"{where}: rule {rule.name} names VMs that are not in the cluster: {missing}")
    hosts = tuple(rule.hosts or ())
    if (rule.kind == "vm-host") != bool(hosts) or not set(hosts) <= host_names:
        raise InputFileError(f"{where}: rule {rule.name}: a vm-host rule, and only one, names hosts, all of the "
                             f"cluster's: {list(hosts)}")
    return RuleSpec(rule.name, rule.kind, tuple(rule.vms), rule.enabled, rule.mandatory, hosts)


HA_PRIORITIES = ("disabled", "lowest", "low", "medium", "high", "highest")
HA_ISOLATION = ("none", "powerOff", "shutdown")


def _ha_vm(raw: Any, where: str, vm_names: set[str]) -> HaVmSpec:
    spec = _build(HaVmSpec, raw, f"{where}: ha_vms")
    if spec.vm not in vm_names:
        raise InputFileError(f"{where}: ha_vms names {spec.vm!r}, which is not a VM of the cluster")
    if spec.restart_priority not in (None, *HA_PRIORITIES) or spec.isolation_response not in (None, *HA_ISOLATION):
        raise InputFileError(f"{where}: ha_vms {spec.vm}: restart_priority is one of {', '.join(HA_PRIORITIES)}, "
                             f"isolation_response one of {', '.join(HA_ISOLATION)}")
    return spec


__all__ += [cls.__name__ for cls in (ClusterSpec, ControllerSpec, DatacenterSpec, DatastoreSpec, DeviceSpec,
                                     DiskSpec, DvPortgroupSpec, DvSwitchSpec, HostSpec, NicSpec, PortgroupSpec,
                                     PvlanSpec, RuleSpec, SnapshotSpec, VmSpec, HaVmSpec)]
