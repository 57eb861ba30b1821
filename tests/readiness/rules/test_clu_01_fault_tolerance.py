from migrate.readiness.rule import Severity
from migrate.readiness.rules import clu_01_fault_tolerance as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_warns_for_fault_tolerance():
    (finding,) = outcomes(rule, make_vm(ft_state="running"))
    assert finding.severity is Severity.WARNING and finding.evidence == {"ft_state": "running"}


def test_readiness_passes_without_fault_tolerance():
    assert outcomes(rule, make_vm(ft_state="notConfigured")) == []
    assert outcomes(rule, make_vm(ft_state=None)) == []
