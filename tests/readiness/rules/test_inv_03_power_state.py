import pytest

from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import inv_03_power_state as rule
from tests.readiness.factories import make_vm, outcomes


# A running VM is only noted: the run shuts every source down by the wave's stop policy.
@pytest.mark.parametrize(("state", "severity"), [("poweredOn", Severity.INFO), ("suspended", Severity.BLOCKER)])
def test_readiness_notes_running_vm_and_blocks_suspended_vm(state, severity):
    (finding,) = outcomes(rule, make_vm(power_state=state))
    assert finding.severity is severity and finding.evidence == {"power_state": state}


def test_readiness_passes_powered_off_vm():
    assert outcomes(rule, make_vm(power_state="poweredOff")) == []


def test_readiness_is_unknown_without_power_state():
    assert isinstance(outcomes(rule, make_vm(power_state=None))[0], Unknown)
