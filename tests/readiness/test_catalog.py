"""The rule set as a whole: ids, one test file per rule, and the default VM being clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrate.readiness.rule import Finding, Severity, Unknown
from migrate.readiness.rules import ALL_RULES, RULES_VERSION
from tests.readiness.factories import make_context, make_vm

TESTS = Path(__file__).parent / "rules"


def test_there_are_at_least_40_rules_with_unique_catalog_style_ids():
    ids = [loaded.rule.id for loaded in ALL_RULES]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Z]{2,3}-\d{2}", rule_id) for rule_id in ids)


@pytest.mark.parametrize("loaded", ALL_RULES, ids=lambda loaded: loaded.rule.id)
def test_every_rule_module_is_named_after_its_id_and_has_its_own_test_file(loaded):
    prefix = loaded.rule.id.lower().replace("-", "_")
    assert loaded.module.startswith(prefix + "_")
    assert (TESTS / f"test_{loaded.module}.py").is_file()


@pytest.mark.parametrize("loaded", ALL_RULES, ids=lambda loaded: loaded.rule.id)
def test_the_default_vm_gets_no_blocker_warning_or_unknown(loaded):
    vm = make_vm()
    for outcome in loaded.check(vm, make_context(vm)):
        assert isinstance(outcome, Finding) and outcome.severity is Severity.INFO, outcome


@pytest.mark.parametrize("loaded", ALL_RULES, ids=lambda loaded: loaded.rule.id)
def test_every_rule_has_a_title_and_remedy(loaded):
    assert loaded.rule.title and loaded.rule.remedy
    assert isinstance(loaded.rule.severity, Severity)


def test_rules_version_is_a_positive_integer():
    assert isinstance(RULES_VERSION, int) and RULES_VERSION >= 1


def test_an_unknown_names_the_missing_property():
    vm = make_vm(power_state=None)
    (outcome,) = [o for loaded in ALL_RULES if loaded.rule.id == "INV-03" for o in loaded.check(vm, make_context(vm))]
    assert isinstance(outcome, Unknown) and outcome.missing == "power state"
