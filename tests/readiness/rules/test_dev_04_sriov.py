from migrate.readiness.rule import Severity
from migrate.readiness.rules import dev_04_sriov as rule
from tests.readiness.factories import make_nic, make_vm, outcomes


def test_readiness_warns_for_sriov_nic():
    (finding,) = outcomes(rule, make_vm(nics=[make_nic(adapter_type="sriov")]))
    assert finding.severity is Severity.WARNING


def test_readiness_passes_vmxnet3_nic():
    assert outcomes(rule, make_vm()) == []
