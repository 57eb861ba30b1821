"""ID-05: VMs sharing one BIOS UUID (clones) would share one SMBIOS UUID on Proxmox too, since the config keeps it
(ID-03): software that identifies a machine by it (licences, activation, management agents) takes them for one."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("ID-05", Severity.WARNING, "BIOS UUID shared with another VM",
            "Give the clone a new BIOS UUID in vSphere (remove uuid.bios from its .vmx, answer 'I copied it') and "
            "discover again, or set a new smbios1 uuid on Proxmox after the move")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    others = [name for name in ctx.bios_uuid_users.get((vm.bios_uuid or "").lower(), ()) if name != vm.name]
    if not vm.bios_uuid or len(ctx.bios_uuid_users.get(vm.bios_uuid.lower(), ())) < 2:
        return
    shown = ", ".join(sorted(others)[:5]) or vm.name  # a namesake in another folder shares it too
    yield RULE.finding(f"BIOS UUID {vm.bios_uuid} is also the UUID of {shown}",
                       {"bios_uuid": vm.bios_uuid, "shared_with": sorted(others)})
