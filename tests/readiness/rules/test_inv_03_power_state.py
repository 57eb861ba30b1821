import pytest

from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import inv_03_power_state as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize(("state", "severity"), [("poweredOn", Severity.WARNING), ("suspended", Severity.BLOCKER)])
def test_readiness_flags_vm_that_is_not_powered_off(state, severity):
    (finding,) = outcomes(rule, make_vm(power_state=state))
    assert finding.severity is severity and finding.evidence == {"power_state": state}


def test_readiness_passes_powered_off_vm():
    assert outcomes(rule, make_vm(power_state="poweredOff")) == []


def test_readiness_is_unknown_without_power_state():
    assert isinstance(outcomes(rule, make_vm(power_state=None))[0], Unknown)
