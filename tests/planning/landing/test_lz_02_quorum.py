from migrate.planning.landing import lz_02_quorum as rule
from migrate.readiness.rule import Severity
from tests.planning.landing.helpers import snapshot, zone


def test_lost_quorum_is_a_blocker_with_a_remedy():
    [finding] = rule.check(zone(snapshot(quorate=False)))
    assert finding.rule_id == "LZ-02" and finding.severity is Severity.BLOCKER and "pvecm status" in finding.remedy


def test_a_quorate_cluster_passes():
    assert rule.check(zone(snapshot())) == []
