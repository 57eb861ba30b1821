"""Landing-zone checks: is the Proxmox cluster fit to receive the planned VMs? Pure, like the readiness rules.

Thresholds come from the production architecture reference: at least three votes (or a QDevice), quorum,
Ceph HEALTH_OK, storage under 80 % (Ceph under 70 %) and node memory under 90 % after placement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from migrate.mapping.model import NetworkTarget
from migrate.planning.capacity import charge, pool_key
from migrate.planning.model import GIB, Plan, PlannedVm, PlanSettings
from migrate.readiness.rule import Finding, Rule, Severity
from migrate.target.known_hosts import KnownHosts
from migrate.target.model import TargetSnapshot
from migrate.target.privileges import missing_privileges

TWO_NODES = Rule("LZ-01", Severity.BLOCKER, "Two-node cluster without a QDevice",
                 "add a QDevice: apt install corosync-qnetd on a third machine, then `pvecm qdevice setup <ip>`")
NO_QUORUM = Rule("LZ-02", Severity.BLOCKER, "Cluster has lost quorum",
                 "restore the cluster network or the missing nodes (`pvecm status`) before migrating")
CEPH = Rule("LZ-03", Severity.BLOCKER, "Ceph is not HEALTH_OK",
            "fix Ceph first (`ceph health detail`); never land VMs on a degraded pool")
STORAGE_FULL = Rule("LZ-04", Severity.WARNING, "Storage above its limit after placement",
                    "add capacity, map some datastores to another storage, or move VMs to a later wave")
MEMORY_FULL = Rule("LZ-05", Severity.WARNING, "Node memory above 90% after placement",
                   "add nodes or memory, or move VMs to a later wave")
BRIDGE_MISSING = Rule("LZ-06", Severity.WARNING, "Mapped bridge missing on a node",
                      "create the bridge on every node (same name) so VMs can run and fail over anywhere")
VLAN_UNAWARE = Rule("LZ-07", Severity.BLOCKER, "VLAN tag on a bridge that is not VLAN-aware",
                    "make the bridge VLAN-aware (bridge-vlan-aware yes, bridge-vids 2-4094) on every node")
CPU_HOST = Rule("LZ-08", Severity.WARNING, "CPU type host over nodes with different CPUs",
                "use a common CPU model (e.g. x86-64-v2-AES) or keep the VM pinned to identical nodes")
HA_LOCAL = Rule("LZ-09", Severity.WARNING, "HA wanted on storage that is not shared",
                "map the VM's datastores to shared storage (Ceph, NFS, iSCSI) or accept no HA for it")
PRIVILEGES = Rule("LZ-10", Severity.BLOCKER, "API token lacks privileges",
                  "grant the role of docs/proxmox-role.md to the user and the token on /")
NODE_OFFLINE = Rule("LZ-11", Severity.WARNING, "Node offline", "bring the node back or remove it from the cluster")
HOST_KEY = Rule("LZ-12", Severity.WARNING, "Node's SSH host key not in known_hosts",
                "add the node's key from /etc/ssh/ssh_host_ed25519_key.pub (checked out of band, not by ssh-keyscan) "
                "to the target's known_hosts file")

ALL_LANDING_RULES = (TWO_NODES, NO_QUORUM, CEPH, STORAGE_FULL, MEMORY_FULL, BRIDGE_MISSING, VLAN_UNAWARE, CPU_HOST,
                     HA_LOCAL, PRIVILEGES, NODE_OFFLINE, HOST_KEY)


def check_landing_zone(
    snapshot: TargetSnapshot, plans: Sequence[Plan] = (), networks: Mapping[str, NetworkTarget] | None = None,
    settings: PlanSettings = PlanSettings(), known_hosts: KnownHosts | None = None,
) -> list[Finding]:
    """Findings about `snapshot` with the VMs of `plans` placed and the bridges of `networks` (portgroup -> target).

    With `known_hosts`, each online node must have a host key in it (by name or cluster address).
    """
    findings = _cluster(snapshot) + _privileges(snapshot)
    findings += _storage_after(snapshot, plans, settings) + _memory_after(snapshot, plans, settings)
    findings += _networks(snapshot, plans, networks or {})
    findings += _cpu_host(snapshot, plans) + _ha_local(snapshot, plans)
    if known_hosts is not None:
        findings += _host_keys(snapshot, known_hosts)
    return findings


def _host_keys(snapshot: TargetSnapshot, known_hosts: KnownHosts) -> list[Finding]:
    found = []
    for node in snapshot.nodes:
        if node.online and not any(known_hosts.knows(name) for name in (node.name, node.address) if name):
            where = f"{node.name} ({node.address})" if node.address else node.name
            found.append(HOST_KEY.finding(f"no host key for node {where} in {known_hosts.path}: the executor would refuse it",
                                          {"node": node.name, "address": node.address, "known_hosts": known_hosts.path}))
    return found


def _cluster(snapshot: TargetSnapshot) -> list[Finding]:
    found = []
    if snapshot.node_count == 2 and not snapshot.qdevice:
        found.append(TWO_NODES.finding(f"{snapshot.target} has 2 nodes and no QDevice: losing one node stops the other",
                                       {"nodes": 2, "qdevice": False}))
    if not snapshot.quorate:
        found.append(NO_QUORUM.finding(f"{snapshot.target} is not quorate: VMs cannot be created or started",
                                       {"quorate": False}))
    if snapshot.ceph_health not in (None, "HEALTH_OK"):
        severity = Severity.WARNING if snapshot.ceph_health == "HEALTH_WARN" else Severity.BLOCKER
        found.append(CEPH.finding(f"Ceph reports {snapshot.ceph_health}", {"ceph_health": snapshot.ceph_health},
                                  severity=severity))
    for node in snapshot.nodes:
        if not node.online:
            found.append(NODE_OFFLINE.finding(f"node {node.name} is offline", {"node": node.name}))
    return found


def _privileges(snapshot: TargetSnapshot) -> list[Finding]:
    if not snapshot.privileges_known:
        return [PRIVILEGES.finding("the token's privileges could not be read (GET /access/permissions)", {})]
    missing = missing_privileges(snapshot.privileges)
    if not missing:
        return []
    return [PRIVILEGES.finding(f"the API token lacks {', '.join(missing)}", {"missing": missing})]


def _storage_after(snapshot: TargetSnapshot, plans: Sequence[Plan], settings: PlanSettings) -> list[Finding]:
    storages = {}
    taken: dict[tuple[str, str], int] = {}
    for storage in snapshot.storages:
        storages[pool_key(storage)] = storage
        taken[pool_key(storage)] = storage.taken
    for vm in _not_created(snapshot, plans):
        on_node = {s.storage: s for s in snapshot.storages_on(vm.node)}
        for disk in vm.disks:
            if disk.storage in on_node:
                taken[pool_key(on_node[disk.storage])] += charge(disk, on_node[disk.storage])
    found = []
    for key in sorted(taken):
        storage = storages[key]
        limit = settings.ceph_limit if storage.is_ceph else settings.storage_limit
        if storage.total and taken[key] > storage.total * limit:
            where = "shared" if storage.shared else f"on {storage.node}"
            share = taken[key] / storage.total
            found.append(STORAGE_FULL.finding(
                f"storage {storage.storage} ({where}) would be {share:.0%} full, above {limit:.0%}",
                {"storage": storage.storage, "node": storage.node, "used_after": taken[key], "total": storage.total}))
    return found


def _memory_after(snapshot: TargetSnapshot, plans: Sequence[Plan], settings: PlanSettings) -> list[Finding]:
    used = {node.name: node.memory_used for node in snapshot.nodes}
    for vm in _not_created(snapshot, plans):
        if vm.node in used:
            used[vm.node] += vm.memory_mib * 1024**2
    found = []
    for node in snapshot.nodes:
        if node.memory_total and used[node.name] > node.memory_total * settings.memory_limit:
            share = used[node.name] / node.memory_total
            found.append(MEMORY_FULL.finding(
                f"node {node.name} would use {share:.0%} of its {node.memory_total / GIB:.0f} GiB of memory",
                {"node": node.name, "used_after": used[node.name], "total": node.memory_total}))
    return found


def _not_created(snapshot: TargetSnapshot, plans: Sequence[Plan]) -> list[PlannedVm]:
    """The planned VMs whose VMID is not on the target yet: a created VM is already in the usage figures."""
    vmids = snapshot.vmids
    return [vm for plan in plans for vm in plan.vms if vm.vmid not in vmids]


def _networks(snapshot: TargetSnapshot, plans: Sequence[Plan], networks: Mapping[str, NetworkTarget]) -> list[Finding]:
    wanted: dict[str, set[int]] = defaultdict(set)  # bridge -> VLAN tags used on it
    for target in networks.values():
        if target is not None:
            wanted[target.bridge].update([target.vlan] if target.vlan else [])
    for plan in plans:
        for vm in plan.vms:
            for nic in vm.nics:
                wanted[nic.bridge].update([nic.vlan] if nic.vlan else [])
    found = []
    online = [node.name for node in snapshot.nodes if node.online]
    for bridge in sorted(wanted):
        missing = [node for node in online if bridge not in snapshot.bridges_on(node)]
        if missing:
            severity = Severity.BLOCKER if len(missing) == len(online) else Severity.WARNING
            found.append(BRIDGE_MISSING.finding(f"bridge {bridge} is missing on {', '.join(missing)}",
                                                {"bridge": bridge, "nodes": missing}, severity=severity))
        unaware = [node for node in online if bridge in snapshot.bridges_on(node)
                   and not snapshot.bridges_on(node)[bridge].vlan_aware]
        if wanted[bridge] and unaware:
            tags = ", ".join(str(tag) for tag in sorted(wanted[bridge]))
            found.append(VLAN_UNAWARE.finding(
                f"VLAN {tags} tagged on bridge {bridge}, which is not VLAN-aware on {', '.join(unaware)}",
                {"bridge": bridge, "vlans": sorted(wanted[bridge]), "nodes": unaware}))
    return found


def _cpu_host(snapshot: TargetSnapshot, plans: Sequence[Plan]) -> list[Finding]:
    models = {node.cpu_model or "unknown" for node in snapshot.nodes}
    if len(models) < 2:
        return []
    vms = sorted(vm.vm_name for plan in plans for vm in plan.vms if vm.config.get("cpu") == "host")
    if not vms:
        return []
    return [CPU_HOST.finding(f"{len(vms)} VMs use cpu: host over {len(models)} CPU models ({', '.join(sorted(models))}): "
                             f"{', '.join(vms[:5])}{' ...' if len(vms) > 5 else ''}", {"vms": vms, "models": sorted(models)})]


def _ha_local(snapshot: TargetSnapshot, plans: Sequence[Plan]) -> list[Finding]:
    shared = {s.storage for s in snapshot.storages if s.shared}
    vms = sorted(vm.vm_name for plan in plans for vm in plan.vms
                 if vm.ha_wanted and any(d.storage not in shared for d in vm.disks))
    if not vms:
        return []
    return [HA_LOCAL.finding(f"{len(vms)} VMs had vSphere HA and land on local storage: {', '.join(vms[:5])}"
                             f"{' ...' if len(vms) > 5 else ''}", {"vms": vms})]
