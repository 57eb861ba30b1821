"""DSK-14: vSAN and vVol disks are objects: the HTTPS /folder path (Proxmox's importer) cannot read them."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory import facts
from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("DSK-14", Severity.WARNING, "Disk on vSAN or vVol", "Storage vMotion the VM to a VMFS or NFS datastore before its wave (the toolkit reads disks as files)", needs=(facts.DATASTORE_TYPES,))


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    for name in sorted({disk.datastore for disk in vm.disks if disk.datastore}):
        datastore = ctx.datastores.get(name)
        if datastore and (datastore.type or "").lower() in ("vsan", "vvol"):
            yield RULE.finding(f"datastore {name} is {datastore.type}", {f"datastores[{name}].type": datastore.type})
