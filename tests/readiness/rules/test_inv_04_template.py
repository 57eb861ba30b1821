from migrate.readiness.rule import Severity
from migrate.readiness.rules import inv_04_template as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_notes_template():
    (finding,) = outcomes(rule, make_vm(template=True))
    assert finding.severity is Severity.INFO and finding.rule_id == "INV-04"


def test_readiness_ignores_ordinary_vm():
    assert outcomes(rule, make_vm(template=False)) == []
