"""DEV-04: an SR-IOV NIC is a host virtual function; it becomes a VirtIO NIC."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DEV-04", Severity.WARNING, "SR-IOV NIC", "Accept a VirtIO NIC, or configure a virtual function as hostpci on the Proxmox node")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for nic in vm.nics:
        if nic.adapter_type == "sriov":
            yield RULE.finding(f"NIC {nic.label} is SR-IOV", {f"nics[{nic.label}].adapter_type": "sriov"})
