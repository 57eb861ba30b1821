from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_09_consolidation as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_warns_when_consolidation_is_needed():
    (finding,) = outcomes(rule, make_vm(consolidation_needed=True))
    assert finding.severity is Severity.WARNING


def test_readiness_passes_consolidated_or_unknown_vm():
    assert outcomes(rule, make_vm(consolidation_needed=False)) == []
    assert outcomes(rule, make_vm(consolidation_needed=None)) == []
