"""OS-04: a 32-bit guest works on Proxmox, but some VirtIO drivers and the agent are 64-bit only on new releases."""

from __future__ import annotations

from collections.abc import Iterator

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule, Severity

RULE = Rule("OS-04", Severity.INFO, "32-bit guest", "Use the 32-bit VirtIO drivers from an older virtio-win release if needed")


def check(vm: Vm, ctx: RuleContext) -> Iterator[Outcome]:
    guest_id = vm.guest_id
    if guest_id and not guest_id.startswith("other") and "64" not in guest_id:
        yield RULE.finding(f"guest {guest_id} is 32-bit", {"guest_id": guest_id})
    elif not guest_id and vm.guest_full_name and "(32-bit)" in vm.guest_full_name:
        # vCenter's OS names (all an RVTools export has) end in "(32-bit)" or "(64-bit)".
        yield RULE.finding(f"guest {vm.guest_full_name} is 32-bit", {"guest_full_name": vm.guest_full_name})
