import dataclasses

from migrate.planning.landing import lz_11_node_offline as rule
from tests.planning.landing.helpers import snapshot, zone


def test_an_offline_node_is_named():
    snap = snapshot(nodes=3)
    snap = dataclasses.replace(snap, nodes=snap.nodes[:2] + (dataclasses.replace(snap.nodes[2], online=False),))
    [finding] = rule.check(zone(snap))
    assert finding.rule_id == "LZ-11" and finding.evidence == {"node": "pve3"}


def test_online_nodes_pass():
    assert rule.check(zone(snapshot(nodes=3))) == []
