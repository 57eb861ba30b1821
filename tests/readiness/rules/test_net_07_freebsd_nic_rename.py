import pytest

from migrate.readiness.rule import Severity
from migrate.readiness.rules import net_07_freebsd_nic_rename as rule
from tests.readiness.factories import make_nic, make_vm, outcomes

FREEBSD = {"guest_id": "freebsd13_64Guest", "guest_full_name": "FreeBSD 13 (64-bit)"}


@pytest.mark.parametrize(("adapter", "old"), [("vmxnet3", "vmx0"), ("e1000", "em0"), ("e1000e", "em0")])
def test_readiness_warns_that_freebsd_interfaces_are_renamed_to_vtnet(adapter, old):
    (finding,) = outcomes(rule, make_vm(**FREEBSD, nics=[make_nic(adapter_type=adapter)]))
    assert finding.severity is Severity.WARNING and finding.evidence == {"renames": [f"{old}->vtnet0"]}
    assert f"ifconfig_{old} to ifconfig_vtnet0" in finding.remedy and "/etc/rc.conf" in finding.remedy


def test_readiness_numbers_each_driver_and_the_new_interfaces_in_nic_order():
    nics = [make_nic(adapter_type="vmxnet3"), make_nic(key=4001, adapter_type="e1000"), make_nic(key=4002, adapter_type="vmxnet3")]
    (finding,) = outcomes(rule, make_vm(**FREEBSD, nics=nics))
    assert finding.evidence == {"renames": ["vmx0->vtnet0", "em0->vtnet1", "vmx1->vtnet2"]}


def test_readiness_passes_linux_guests_whose_names_do_not_follow_the_driver():
    assert outcomes(rule, make_vm(nics=[make_nic(adapter_type="vmxnet3")])) == []
