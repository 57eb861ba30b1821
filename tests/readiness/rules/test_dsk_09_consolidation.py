from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_09_consolidation as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_blocks_a_vm_that_needs_consolidation_as_preflight_refuses_it():
    (finding,) = outcomes(rule, make_vm(consolidation_needed=True))
    assert finding.severity is Severity.BLOCKER and "needs its disks consolidated" in finding.message


def test_readiness_passes_consolidated_or_unknown_vm():
    assert outcomes(rule, make_vm(consolidation_needed=False)) == []
    assert outcomes(rule, make_vm(consolidation_needed=None)) == []
