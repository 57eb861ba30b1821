from migrate.readiness.rule import Severity
from migrate.readiness.rules import dev_04_sriov as rule
from tests.readiness.factories import make_nic, make_vm, outcomes


def test_readiness_warns_for_sriov_nic_naming_the_virtio_nic_it_becomes():
    (finding,) = outcomes(rule, make_vm(nics=[make_nic(adapter_type="sriov")]))
    assert finding.severity is Severity.WARNING and finding.evidence["nic_model"] == "virtio"
    assert "becomes a virtio NIC" in finding.message


def test_a_windows_sriov_nic_becomes_the_e1000e_of_its_config():
    vm = make_vm(guest_id="windows2019srv_64Guest", nics=[make_nic(adapter_type="sriov")])
    (finding,) = outcomes(rule, vm)
    assert "becomes a e1000e NIC" in finding.message and "virtio" not in finding.remedy.lower()


def test_readiness_passes_vmxnet3_nic():
    assert outcomes(rule, make_vm()) == []
