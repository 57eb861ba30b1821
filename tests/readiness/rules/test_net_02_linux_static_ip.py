from migrate.inventory.model import IpAddress
from migrate.readiness.rule import Severity
from migrate.readiness.rules import net_02_linux_static_ip as rule
from tests.readiness.factories import make_nic, make_vm, outcomes

STATIC = [make_nic(ip_addresses=[IpAddress("10.0.0.5", 24, "manual")])]


def test_readiness_warns_for_linux_static_ip():
    (finding,) = outcomes(rule, make_vm(nics=STATIC))
    assert finding.severity is Severity.WARNING


def test_readiness_leaves_windows_static_ip_and_linux_dhcp_alone():
    assert outcomes(rule, make_vm(guest_id="windows2019srv_64Guest", nics=STATIC)) == []
    assert outcomes(rule, make_vm()) == []
