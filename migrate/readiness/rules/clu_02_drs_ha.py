"""CLU-02: vSphere HA and DRS settings are not carried over."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("CLU-02", Severity.INFO, "vSphere HA or DRS", "Add the VM to a Proxmox HA group and configure the cluster resource scheduler (CRS)")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    cluster = ctx.clusters.get(vm.cluster or "")
    if cluster and (cluster.ha_enabled or cluster.drs_enabled):
        yield RULE.finding(f"cluster {cluster.name} has HA or DRS on", {"cluster.ha_enabled": cluster.ha_enabled, "cluster.drs_enabled": cluster.drs_enabled})
