"""NET-06: every portgroup a NIC uses needs a Proxmox bridge in the mapping file (a maps rule: not the VM's verdict)."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("NET-06", Severity.BLOCKER, "Network not mapped", "Add the portgroup under `networks:` in mappings/<source>.yaml (migrate mapping init lists them)", maps=True)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for nic in vm.nics:
        if nic.network is None:
            yield RULE.unknown(f"network of {nic.label}")
        elif ctx.mappings.network_for(vm.name, nic.network) is None:
            yield RULE.finding(f"network {nic.network} of {nic.label} has no Proxmox bridge", {"network": nic.network, "nic": nic.label})
