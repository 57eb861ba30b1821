import pytest

from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import tls_01_tools_not_running as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize(
    ("status", "running"), [("toolsNotInstalled", "guestToolsNotRunning"), ("toolsOk", "guestToolsNotRunning"), ("toolsOld", "guestToolsExecutingScripts")]
)
def test_readiness_warns_for_running_vm_without_running_tools(status, running):
    (finding,) = outcomes(rule, make_vm(power_state="poweredOn", tools_status=status, tools_running=running))
    assert finding.severity is Severity.WARNING


def test_readiness_is_unknown_for_running_vm_without_tools_data():
    assert isinstance(outcomes(rule, make_vm(power_state="poweredOn", tools_status=None, tools_running=None))[0], Unknown)


def test_readiness_passes_running_tools_or_powered_off_vm():
    assert outcomes(rule, make_vm(power_state="poweredOn", tools_running="guestToolsRunning")) == []
    assert outcomes(rule, make_vm(tools_status="toolsNotInstalled")) == []


def test_the_tools_status_an_export_gives_is_enough_to_warn():
    (finding,) = outcomes(rule, make_vm(power_state="poweredOn", tools_status="toolsNotRunning", tools_running=None))
    assert finding.severity is Severity.WARNING
