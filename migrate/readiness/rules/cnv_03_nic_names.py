"""CNV-03 (new): the conversion pins each Linux NIC's name, which vSphere does not report: it is VMware's guess."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.mapping.conversion import conversion_of
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule(
    "CNV-03",
    Severity.INFO,
    "Interface names assumed for the conversion",
    "Check the names with `ip -br link` in the guest; if they differ, set `nic_names: [NAME, ...]` (in NIC order) for "
    "the VM in the mapping file, so that its static network configuration still applies after the move",
    needs=(facts.NIC_DETAILS,),
)


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    conversion = conversion_of(vm, ctx.mappings, ctx.target)
    if conversion.guest != "linux" or ctx.mappings.override(vm.name).nic_names:
        return
    unknown = [nic for nic in vm.nics if not nic.mac]
    if unknown:  # the name is pinned to the MAC: without it the conversion pins nothing for that NIC
        yield RULE.unknown(f"MAC of {unknown[0].label or unknown[0].network}", ctx.where)
        return
    if not conversion.interfaces:
        return
    names = ", ".join(f"{i['name']} ({i['mac']})" for i in conversion.interfaces)
    yield RULE.finding(f"the conversion pins {names}: VMware's names for the NICs' places, which vSphere does not "
                       "confirm", {"interfaces": [i["name"] for i in conversion.interfaces]})
