from migrate.mapping.model import NetworkTarget
from migrate.planning.landing import lz_07_vlan_unaware as rule
from tests.planning.landing.helpers import snapshot, zone


def test_a_vlan_tag_on_a_bridge_that_is_not_vlan_aware_is_a_blocker():
    [finding] = rule.check(zone(snapshot(bridges=(("vmbr0", False),)), networks={"pg": NetworkTarget("vmbr0", vlan=120)}))
    assert finding.rule_id == "LZ-07" and "VLAN 120" in finding.message


def test_untagged_use_of_a_plain_bridge_and_tags_on_an_aware_one_pass():
    assert rule.check(zone(snapshot(bridges=(("vmbr0", False),)), networks={"pg": NetworkTarget("vmbr0")})) == []
    assert rule.check(zone(snapshot(bridges=(("vmbr0", True),)), networks={"pg": NetworkTarget("vmbr0", vlan=7)})) == []


def test_a_trunk_on_a_bridge_that_is_not_vlan_aware_is_a_blocker():
    [finding] = rule.check(zone(snapshot(bridges=(("vmbr0", False),)), networks={"pg": NetworkTarget("vmbr0", trunks="100-200")}))
    assert finding.rule_id == "LZ-07" and "trunk 100-200 carried on bridge vmbr0" in finding.message
    assert finding.evidence["trunks"] == ["100-200"] and finding.evidence["vlans"] == []


def test_a_planned_nic_with_trunks_on_a_plain_bridge_is_found_without_a_mapping():
    import dataclasses

    from tests.factories import make_vm
    from tests.planning.helpers import candidate
    from tests.planning.landing.helpers import plan

    snap = snapshot(bridges=(("vmbr0", False),))
    placed = plan(snap, [candidate(make_vm("a"))])
    nics = tuple(dataclasses.replace(nic, bridge="vmbr0", vlan=None, trunks="10;20") for nic in placed.vms[0].nics)
    placed = dataclasses.replace(placed, vms=(dataclasses.replace(placed.vms[0], nics=nics),))
    [finding] = rule.check(zone(snap, [placed]))
    assert "trunk 10;20" in finding.message
