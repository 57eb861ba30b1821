import dataclasses

from migrate.mapping.model import NetworkTarget
from migrate.planning.landing import lz_06_bridge_missing as rule
from migrate.readiness.rule import Severity
from migrate.target.model import BridgeFacts
from tests.planning.landing.helpers import snapshot, zone


def test_a_mapped_bridge_missing_on_one_node_is_a_warning_and_on_all_a_blocker():
    snap = snapshot(nodes=2, qdevice=True, bridges=(("vmbr0", True),))
    snap = dataclasses.replace(snap, bridges=snap.bridges + (BridgeFacts("pve1", "vmbr1", True),))
    findings = rule.check(zone(snap, networks={"a": NetworkTarget("vmbr1"), "b": NetworkTarget("vmbr7")}))
    assert [(f.rule_id, f.severity, f.evidence["bridge"], f.evidence["nodes"]) for f in findings] == [
        ("LZ-06", Severity.WARNING, "vmbr1", ["pve2"]), ("LZ-06", Severity.BLOCKER, "vmbr7", ["pve1", "pve2"])]


def test_a_bridge_on_every_node_passes():
    assert rule.check(zone(snapshot(nodes=3), networks={"a": NetworkTarget("vmbr0")})) == []
