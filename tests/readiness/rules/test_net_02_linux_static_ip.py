from migrate.inventory.model import IpAddress
from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import net_02_linux_static_ip as rule
from tests.readiness.factories import make_nic, make_vm, outcomes, rvtools_context

STATIC = [make_nic(ip_addresses=[IpAddress("10.0.0.5", 24, "manual")])]


def test_readiness_warns_for_linux_static_ip():
    (finding,) = outcomes(rule, make_vm(nics=STATIC))
    assert finding.severity is Severity.WARNING


def test_readiness_leaves_windows_static_ip_and_linux_dhcp_alone():
    assert outcomes(rule, make_vm(guest_id="windows2019srv_64Guest", nics=STATIC)) == []
    assert outcomes(rule, make_vm()) == []


def test_addresses_without_an_origin_as_an_export_lists_them_are_not_assessed():
    vm = make_vm(nics=[make_nic(ip_addresses=[IpAddress("10.0.0.5")])])
    (outcome,) = outcomes(rule, vm, rvtools_context(vm))
    assert isinstance(outcome, Unknown) and outcome.message.endswith("the RVTools export does not say IP address origins (static or DHCP)")
