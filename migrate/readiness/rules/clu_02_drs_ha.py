"""CLU-02: vSphere HA and DRS settings are not carried over."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("CLU-02", Severity.INFO, "vSphere HA or DRS", "Add the VM as a Proxmox HA resource with HA rules (node affinity; Proxmox VE 9 replaced HA groups) and configure the cluster resource scheduler (CRS)", needs=(facts.CLUSTERS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    cluster = ctx.clusters.get(vm.cluster or "")
    if cluster and (cluster.ha_enabled or cluster.drs_enabled):
        settings = {"cluster.ha_enabled": cluster.ha_enabled, "cluster.drs_enabled": cluster.drs_enabled}
        known = {key: value for key, value in settings.items() if value is not None}
        yield RULE.finding(f"cluster {cluster.name} has HA or DRS on", known)
