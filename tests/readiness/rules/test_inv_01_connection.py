import pytest

from migrate.readiness.rule import Finding, Severity, Unknown
from migrate.readiness.rules import inv_01_connection as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("state", ["orphaned", "inaccessible", "invalid", "disconnected"])
def test_readiness_blocks_vm_that_is_not_connected(state):
    (finding,) = outcomes(rule, make_vm(connection_state=state))
    assert isinstance(finding, Finding) and finding.severity is Severity.BLOCKER
    assert finding.evidence == {"connection_state": state}


def test_readiness_passes_connected_vm():
    assert outcomes(rule, make_vm(connection_state="connected")) == []


def test_readiness_is_unknown_without_connection_state():
    (outcome,) = outcomes(rule, make_vm(connection_state=None))
    assert isinstance(outcome, Unknown) and outcome.rule_id == "INV-01"
