from migrate.readiness.rule import Severity
from migrate.readiness.rules import clu_04_hotplug as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_notes_hot_add():
    (finding,) = outcomes(rule, make_vm(cpu_hot_add=True))
    assert finding.severity is Severity.INFO


def test_readiness_ignores_vm_without_hot_add():
    assert outcomes(rule, make_vm(cpu_hot_add=False, memory_hot_add=False)) == []
