import pytest

from migrate.readiness.rule import Severity
from migrate.readiness.rules import cpu_01_latency_sensitive as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize(
    "overrides", [{"latency_sensitivity": "high"}, {"memory_reservation_mb": 4096}, {"memory_reservation_locked": True}]
)
def test_readiness_notes_latency_sensitive_vm(overrides):
    (finding,) = outcomes(rule, make_vm(**overrides))
    assert finding.severity is Severity.INFO


@pytest.mark.parametrize("overrides", [{}, {"memory_reservation_mb": 1024}, {"latency_sensitivity": "normal"}])
def test_readiness_ignores_ordinary_vm(overrides):
    assert outcomes(rule, make_vm(**overrides)) == []
