"""The inventory model's documents: `to_dict` is what gets stored and printed as JSON."""

from __future__ import annotations

import dataclasses
import gc
from collections import OrderedDict, namedtuple

import pytest

from migrate.gc_pause import cyclic_gc_paused
from migrate.inventory.model import Cluster, ClusterRule, IpAddress, Network, PortgroupVlan, Snapshot, Vm
from tests.factories import make_vm


def test_vm_to_dict_is_what_dataclasses_asdict_gives():
    vm = make_vm("db-01", custom_attributes={"owner": "dba"}, cpu_affinity=[0, 1],
                 snapshots=[Snapshot("before-upgrade", parent=None)])
    vm.nics[0].ip_addresses = [IpAddress("10.0.0.5", 24, "manual")]
    assert vm.to_dict() == dataclasses.asdict(vm)
    assert Vm.from_dict(vm.to_dict()) == vm


def test_estate_to_dict_keeps_tuples_and_nested_records():
    network = Network("trunk", "distributed", trunk_ranges=[(1, 100), (200, 300)],
                      host_vlans=[PortgroupVlan("esx1", "vSwitch0", 10)])
    cluster = Cluster("C1", rules=[ClusterRule("sep", "anti-affinity", vms=["a", "b"])])
    for item in (network, cluster):
        assert repr(item.to_dict()) == repr(dataclasses.asdict(item))


def test_vm_to_dict_shares_no_containers_with_the_vm():
    vm = make_vm("app", custom_attributes={"owner": "ops"})
    facts = vm.to_dict()
    facts["custom_attributes"]["owner"] = "changed"
    facts["disks"].clear()
    assert vm.custom_attributes == {"owner": "ops"} and vm.disks


@pytest.mark.parametrize("enabled", [True, False])
def test_cyclic_gc_is_restored_after_a_paused_block_even_on_error(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError), cyclic_gc_paused():
            assert not gc.isenabled()
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_to_dict_treats_container_subclasses_like_asdict():
    pair = namedtuple("Pair", "low high")
    vm = make_vm("odd", custom_attributes=OrderedDict(owner=IpAddress("10.0.0.1")),
                 cpu_affinity=[pair(IpAddress("10.0.0.2"), 1)])
    assert repr(vm.to_dict()) == repr(dataclasses.asdict(vm))
