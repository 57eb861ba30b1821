"""LZ-08: VMs with CPU type host on a cluster whose nodes have different CPU models cannot move between them."""

from __future__ import annotations

from migrate.planning.landing.zone import LandingZone, shortlist
from migrate.readiness.rule import Finding, Rule, Severity
from migrate.words import counted

RULE = Rule("LZ-08", Severity.WARNING, "CPU type host over nodes with different CPUs",
            "use a common CPU model (e.g. x86-64-v2-AES) or keep the VM pinned to identical nodes")


def check(zone: LandingZone) -> list[Finding]:
    models = {node.cpu_model or "unknown" for node in zone.snapshot.nodes}
    if len(models) < 2:
        return []
    vms = sorted(vm.vm_name for vm in zone.planned_vms() if vm.config.get("cpu") == "host")
    if not vms:
        return []
    return [RULE.finding(f"{counted(len(vms), 'VM')} {'uses' if len(vms) == 1 else 'use'} cpu: host over {len(models)} CPU models ({', '.join(sorted(models))}): "
                         f"{shortlist(vms)}", {"vms": vms, "models": sorted(models)})]
