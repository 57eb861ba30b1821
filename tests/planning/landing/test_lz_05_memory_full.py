import dataclasses

from migrate.planning.landing import lz_05_memory_full as rule
from migrate.target.model import GuestFacts
from tests.factories import make_vm
from tests.planning.helpers import candidate
from tests.planning.landing.helpers import plan, snapshot, zone


def test_node_memory_above_ninety_percent_after_placement_is_found():
    snap = snapshot(nodes=1, memory_gib=64, used_gib=8)
    placed = plan(snap, [candidate(make_vm("big", memory_mb=52 * 1024))], memory_limit=1.0)
    [finding] = rule.check(zone(snap, [placed]))
    assert finding.rule_id == "LZ-05" and finding.evidence["node"] == "pve1"


def test_a_planned_vm_that_was_created_meanwhile_is_not_counted_twice():
    snap = snapshot(nodes=1, memory_gib=64, used_gib=8)
    placed = plan(snap, [candidate(make_vm("big", memory_mb=52 * 1024))], memory_limit=1.0)
    created = dataclasses.replace(snap, guests=(GuestFacts(placed.vms[0].vmid, "big", "pve1"),))
    assert rule.check(zone(created, [placed])) == []
