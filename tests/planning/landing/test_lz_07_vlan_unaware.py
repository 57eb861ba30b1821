from migrate.mapping.model import NetworkTarget
from migrate.planning.landing import lz_07_vlan_unaware as rule
from tests.planning.landing.helpers import snapshot, zone


def test_a_vlan_tag_on_a_bridge_that_is_not_vlan_aware_is_a_blocker():
    [finding] = rule.check(zone(snapshot(bridges=(("vmbr0", False),)), networks={"pg": NetworkTarget("vmbr0", vlan=120)}))
    assert finding.rule_id == "LZ-07" and "VLAN 120" in finding.message


def test_untagged_use_of_a_plain_bridge_and_tags_on_an_aware_one_pass():
    assert rule.check(zone(snapshot(bridges=(("vmbr0", False),)), networks={"pg": NetworkTarget("vmbr0")})) == []
    assert rule.check(zone(snapshot(bridges=(("vmbr0", True),)), networks={"pg": NetworkTarget("vmbr0", vlan=7)})) == []
