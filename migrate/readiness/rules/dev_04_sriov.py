"""DEV-04: an SR-IOV NIC is a host virtual function; it becomes the config's emulated or VirtIO NIC."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.mapping.conversion import planned_devices
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DEV-04", Severity.WARNING, "SR-IOV NIC", "Accept the config's NIC model, or configure a virtual function as hostpci on the Proxmox node", needs=(facts.NIC_DETAILS,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    model = planned_devices(vm, ctx.mappings, ctx.target).nic_model
    for nic in vm.nics:
        if nic.adapter_type == "sriov":
            yield RULE.finding(
                f"NIC {nic.label} is SR-IOV: it becomes a {model} NIC", {f"nics[{nic.label}].adapter_type": "sriov", "nic_model": model},
                remedy=f"Accept a {model} NIC, or configure a virtual function as hostpci on the Proxmox node",
            )
