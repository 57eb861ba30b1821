"""The wave's duration replays `migrate run`'s parallelism: total VMs at once, per node or source datastore."""

from __future__ import annotations

import dataclasses

import pytest

from migrate.planning.schedule import schedule, wave_seconds
from tests.execution.planned import make_disk, make_planned_vm


def _vm(name: str, node: str, datastore: str, downtime: int):
    vm = make_planned_vm(name=name, node=node)
    return dataclasses.replace(vm, downtime_seconds=downtime, disks=(make_disk(datastore=datastore),))


@pytest.mark.parametrize(("parallel", "per_node", "seconds"), [
    (1, 1, 400),  # one after the other
    (4, 1, 200),  # one per node (and datastore): a with c, then b with d
    (3, 2, 200),  # three at once: d waits for the first to finish
    (4, 2, 100),  # two per node on two nodes: all at once
])
def test_the_wave_takes_the_longest_lane_of_the_runs_schedule(parallel, per_node, seconds):
    vms = [_vm("a", "pve1", "ds1", 100), _vm("b", "pve1", "ds1", 100), _vm("c", "pve2", "ds2", 100),
           _vm("d", "pve2", "ds2", 100)]
    assert wave_seconds(vms, parallel, per_node) == seconds


def test_one_long_vm_sets_the_waves_duration_while_the_others_run_beside_it():
    vms = [_vm("big", "pve1", "ds1", 1000)] + [_vm(f"s{i}", "pve2", "ds2", 100) for i in range(4)]
    assert wave_seconds(vms, 2, 2) == 1000


def test_each_vm_starts_when_the_runs_limits_free_a_place_for_it():
    vms = [_vm("a", "pve1", "ds1", 100), _vm("b", "pve1", "ds1", 50), _vm("c", "pve2", "ds2", 30), _vm("d", "pve2", "ds2", 30)]
    slots = schedule(vms, 2, 1)
    assert [(slot.vm.vm_name, slot.start, slot.end) for slot in slots] == [("a", 0, 100), ("c", 0, 30), ("d", 30, 60), ("b", 100, 150)]
    assert max(slot.end for slot in slots) == wave_seconds(vms, 2, 1)
