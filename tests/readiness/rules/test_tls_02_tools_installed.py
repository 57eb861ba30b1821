from migrate.readiness.rule import Severity
from migrate.readiness.rules import tls_02_tools_installed as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_notes_installed_tools():
    (finding,) = outcomes(rule, make_vm(tools_status="toolsOld"))
    assert finding.severity is Severity.INFO and finding.evidence == {"tools_status": "toolsOld"}


def test_readiness_ignores_vm_without_tools():
    assert outcomes(rule, make_vm(tools_status="toolsNotInstalled")) == []
    assert outcomes(rule, make_vm(tools_status=None)) == []
