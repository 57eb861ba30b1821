from migrate.planning.landing import lz_09_ha_local as rule
from tests.factories import make_vm
from tests.planning.helpers import candidate
from tests.planning.landing.helpers import plan, snapshot, zone


def test_ha_wanted_on_local_storage_is_found_and_not_on_shared():
    local, shared = snapshot(), snapshot(shared=True, storage_type="nfs")
    [finding] = rule.check(zone(local, [plan(local, [candidate(make_vm("a"), ha_wanted=True)])]))
    assert finding.rule_id == "LZ-09" and finding.evidence == {"vms": ["a"]}
    assert rule.check(zone(shared, [plan(shared, [candidate(make_vm("a"), ha_wanted=True)])])) == []
