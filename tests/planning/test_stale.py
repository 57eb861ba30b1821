"""A stored plan is stale when the target changed under it: what `migrate run` checks first."""

from __future__ import annotations

import dataclasses

from migrate.planning.model import PlanSettings
from migrate.planning.place import place_wave
from migrate.planning.stale import plan_is_stale
from migrate.target.model import GuestFacts
from tests.factories import make_snapshot, make_vm
from tests.planning.helpers import GIB, candidate

SNAPSHOT = make_snapshot(nodes=2)


def _plan():
    return place_wave([candidate(make_vm("web-01")), candidate(make_vm("web-02"))], SNAPSHOT, PlanSettings(), wave=1,
                      snapshot_version=1)


def test_an_unchanged_target_makes_no_plan_stale():
    assert plan_is_stale(_plan(), SNAPSHOT) == []


def test_a_vmid_taken_meanwhile_makes_the_plan_stale():
    plan = _plan()
    fresh = dataclasses.replace(SNAPSHOT, guests=(GuestFacts(plan.vms[0].vmid, "intruder", "pve1"),))
    assert plan_is_stale(plan, fresh) == [f"web-01: VMID {plan.vms[0].vmid} is now taken on the target: plan the wave again"]


def test_a_name_or_mac_taken_meanwhile_makes_the_plan_stale():
    fresh = dataclasses.replace(SNAPSHOT, guests=(GuestFacts(5, "web-02", "pve1", ("00:50:56:00:00:01",)),))
    reasons = plan_is_stale(_plan(), fresh)
    assert any("a VM named web-02 now exists" in r for r in reasons)
    assert any("MAC 00:50:56:00:00:01" in r for r in reasons)


def test_a_filled_storage_makes_the_plan_stale():
    plan = _plan()
    node = plan.vms[0].node
    storages = tuple(dataclasses.replace(s, avail=1 * GIB) if s.node == node else s for s in SNAPSHOT.storages)
    reasons = plan_is_stale(plan, dataclasses.replace(SNAPSHOT, storages=storages))
    assert len(reasons) == 1 and reasons[0].startswith(f"storage data on {node} has 1.0 GiB free")


def test_a_lost_node_bridge_or_quorum_makes_the_plan_stale():
    plan = _plan()
    fresh = dataclasses.replace(SNAPSHOT, quorate=False, bridges=(), nodes=SNAPSHOT.nodes[:1])
    reasons = plan_is_stale(plan, fresh)
    assert reasons[0].startswith("target pve-prod has lost quorum")
    assert any("node pve2 is gone" in r for r in reasons)
    assert any("bridge vmbr0 is missing on pve1" in r for r in reasons)
