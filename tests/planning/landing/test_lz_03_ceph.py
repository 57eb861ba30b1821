import pytest

from migrate.planning.landing import lz_03_ceph as rule
from migrate.readiness.rule import Severity
from tests.planning.landing.helpers import snapshot, zone


@pytest.mark.parametrize(("health", "severity"), [("HEALTH_WARN", Severity.WARNING), ("HEALTH_ERR", Severity.BLOCKER)])
def test_ceph_not_health_ok_is_a_finding(health, severity):
    [finding] = rule.check(zone(snapshot(ceph_health=health)))
    assert (finding.rule_id, finding.severity, finding.evidence) == ("LZ-03", severity, {"ceph_health": health})


@pytest.mark.parametrize("health", [None, "HEALTH_OK"])
def test_healthy_or_absent_ceph_passes(health):
    assert rule.check(zone(snapshot(ceph_health=health))) == []
