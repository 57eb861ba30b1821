"""DSK-13: each Proxmox bus holds a fixed number of disks (SCSI 31, SATA 6, IDE 4); the config's buses decide."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.mapping.conversion import planned_devices
from migrate.mapping.mapper import MAX_DISKS_PER_BUS
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-13", Severity.BLOCKER, "Too many disks", "Consolidate disks in the guest (fewer, larger disks) before migrating")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    if not vm.disks:
        return
    devices = planned_devices(vm, ctx.mappings, ctx.target)
    # The mapper puts the boot disk on the boot bus and the others on the other bus (both IDE for a legacy guest).
    on_bus = Counter([devices.boot_bus] + [devices.other_bus] * (len(vm.disks) - 1))
    for bus, count in sorted(on_bus.items()):
        if count > MAX_DISKS_PER_BUS[bus]:
            yield RULE.finding(
                f"VM has {len(vm.disks)} disks: {count} on the config's {bus.upper()} bus, which holds {MAX_DISKS_PER_BUS[bus]}; "
                "the config leaves the rest out",
                {"disks": len(vm.disks), "bus": bus},
            )
