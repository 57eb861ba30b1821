from migrate.readiness.rule import Severity
from migrate.readiness.rules import net_03_no_guest_ip as rule
from tests.readiness.factories import make_nic, make_vm, outcomes


def test_readiness_warns_for_running_vm_without_ip_data():
    (finding,) = outcomes(rule, make_vm(power_state="poweredOn", primary_ip=None, nics=[make_nic(ip_addresses=[])]))
    assert finding.severity is Severity.WARNING


def test_readiness_passes_running_vm_with_ip_or_powered_off_vm():
    assert outcomes(rule, make_vm(power_state="poweredOn")) == []
    assert outcomes(rule, make_vm(nics=[make_nic(ip_addresses=[])])) == []
