"""Landing-zone checks: is the Proxmox cluster fit to receive the planned VMs? Pure, like the readiness rules.

One rule per module (`lz_NN_*.py`: a `RULE` and a pure `check(zone)`), each with its own test. Thresholds come
from the production architecture reference: at least three votes (or a QDevice), quorum, Ceph HEALTH_OK,
storage under 80 % (Ceph under 70 %) and node memory under 90 % after placement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from migrate.mapping.model import NetworkTarget
from migrate.planning.landing import (
    lz_01_two_nodes,
    lz_02_quorum,
    lz_03_ceph,
    lz_04_storage_full,
    lz_05_memory_full,
    lz_06_bridge_missing,
    lz_07_vlan_unaware,
    lz_08_cpu_host,
    lz_09_ha_local,
    lz_10_privileges,
    lz_11_node_offline,
    lz_12_host_key,
    lz_13_finalize_privileges,
)
from migrate.planning.landing.zone import LandingZone
from migrate.planning.model import Plan, PlanSettings
from migrate.readiness.rule import Finding
from migrate.target.known_hosts import KnownHosts
from migrate.target.model import TargetSnapshot
from migrate.target.reach import SshAddress

# The order findings are reported in: the cluster's health first, then what the placed plans need of it.
CHECK_ORDER = (lz_01_two_nodes, lz_02_quorum, lz_03_ceph, lz_11_node_offline, lz_10_privileges,
               lz_13_finalize_privileges, lz_04_storage_full, lz_05_memory_full, lz_06_bridge_missing,
               lz_07_vlan_unaware, lz_08_cpu_host, lz_09_ha_local, lz_12_host_key)
ALL_LANDING_RULES = tuple(sorted((module.RULE for module in CHECK_ORDER), key=lambda rule: rule.id))


def check_landing_zone(
    snapshot: TargetSnapshot, plans: Sequence[Plan] = (), networks: Mapping[str, NetworkTarget] | None = None,
    settings: PlanSettings = PlanSettings(), known_hosts: KnownHosts | None = None,
    ssh_addresses: Mapping[str, SshAddress] | None = None,
) -> list[Finding]:
    """Findings about `snapshot` with the VMs of `plans` placed and the bridges of `networks` (portgroup -> target).

    With `known_hosts`, each online node must have a host key in it for the address the run reaches it at
    (`ssh_addresses`: node -> address; without one, by name or cluster address on port 22).
    """
    zone = LandingZone(snapshot, plans, networks or {}, settings, known_hosts, ssh_addresses or {})
    return [finding for module in CHECK_ORDER for finding in module.check(zone)]
