import dataclasses

from migrate.planning.landing import lz_08_cpu_host as rule
from tests.factories import make_vm
from tests.planning.helpers import candidate
from tests.planning.landing.helpers import plan, snapshot, zone


def _cpu_host(placed):
    return dataclasses.replace(placed, vms=tuple(dataclasses.replace(vm, config={**vm.config, "cpu": "host"})
                                                 for vm in placed.vms))


def test_cpu_host_over_different_cpu_models_is_found():
    snap = snapshot(nodes=2, qdevice=True)
    snap = dataclasses.replace(snap, nodes=(snap.nodes[0], dataclasses.replace(snap.nodes[1], cpu_model="Intel Xeon Gold 6338")))
    [finding] = rule.check(zone(snap, [_cpu_host(plan(snap, [candidate(make_vm("a"))]))]))
    assert finding.rule_id == "LZ-08" and finding.evidence["vms"] == ["a"]


def test_cpu_host_over_identical_nodes_passes():
    snap = snapshot(nodes=2, qdevice=True)
    assert rule.check(zone(snap, [_cpu_host(plan(snap, [candidate(make_vm("a"))]))])) == []
