from migrate.readiness.rule import Severity
from migrate.readiness.rules import fw_03_secure_boot as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_warns_for_secure_boot():
    (finding,) = outcomes(rule, make_vm(firmware="efi", secure_boot=True))
    assert finding.severity is Severity.WARNING and finding.evidence == {"secure_boot": True}


def test_readiness_passes_without_secure_boot():
    assert outcomes(rule, make_vm(firmware="efi", secure_boot=False)) == []
