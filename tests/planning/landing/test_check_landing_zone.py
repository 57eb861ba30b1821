"""The landing-zone check as a whole: every rule module is run, in the documented order."""

from __future__ import annotations

import importlib
import pkgutil

import migrate.planning.landing as landing
from migrate.planning.landing import ALL_LANDING_RULES, CHECK_ORDER, check_landing_zone
from tests.planning.landing.helpers import snapshot


def test_a_healthy_three_node_cluster_has_no_findings():
    assert check_landing_zone(snapshot(nodes=3)) == []


def test_every_rule_module_is_checked_once_and_the_rules_are_listed_by_id():
    modules = {name for _, name, _ in pkgutil.iter_modules(landing.__path__) if name.startswith("lz_")}
    assert sorted(module.__name__.rsplit(".", 1)[1] for module in CHECK_ORDER) == sorted(modules)
    assert [rule.id for rule in ALL_LANDING_RULES] == [f"LZ-{n:02d}" for n in range(1, 14)]


def test_every_rule_module_has_its_own_test_file():
    from pathlib import Path

    here = Path(__file__).parent
    for module in CHECK_ORDER:
        name = module.__name__.rsplit(".", 1)[1]
        assert (here / f"test_{name}.py").is_file(), name
        assert importlib.import_module(module.__name__).RULE.remedy


def test_findings_come_in_check_order_cluster_health_first():
    findings = check_landing_zone(snapshot(nodes=2, quorate=False, ceph_health="HEALTH_ERR", privileges=()))
    assert [f.rule_id for f in findings] == ["LZ-01", "LZ-02", "LZ-03", "LZ-10", "LZ-13"]
