from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_10_cbt as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_notes_cbt_off():
    (finding,) = outcomes(rule, make_vm(cbt_enabled=False))
    assert finding.severity is Severity.INFO and finding.evidence == {"cbt_enabled": False}


def test_readiness_ignores_cbt_on_or_unknown():
    assert outcomes(rule, make_vm(cbt_enabled=True)) == []
    assert outcomes(rule, make_vm(cbt_enabled=None)) == []
