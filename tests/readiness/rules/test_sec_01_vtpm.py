from migrate.readiness.rule import Severity
from migrate.readiness.rules import sec_01_vtpm as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_warns_for_vtpm():
    (finding,) = outcomes(rule, make_vm(vtpm=True))
    assert finding.severity is Severity.WARNING and "BitLocker" in finding.remedy and "empty" in finding.remedy


def test_readiness_passes_without_vtpm():
    assert outcomes(rule, make_vm(vtpm=False)) == []
