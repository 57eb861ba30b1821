from migrate.planning.landing import lz_01_two_nodes as rule
from tests.planning.landing.helpers import snapshot, zone


def test_two_nodes_without_a_qdevice_is_a_blocker():
    [finding] = rule.check(zone(snapshot(nodes=2)))
    assert finding.rule_id == "LZ-01" and "2 nodes and no QDevice" in finding.message


def test_two_nodes_with_a_qdevice_and_three_nodes_pass():
    assert rule.check(zone(snapshot(nodes=2, qdevice=True))) == []
    assert rule.check(zone(snapshot(nodes=3))) == []
