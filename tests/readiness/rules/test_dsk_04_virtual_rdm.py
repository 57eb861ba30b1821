from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_04_virtual_rdm as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


def test_readiness_warns_for_virtual_rdm():
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(backing="rdm", rdm_mode="virtualMode")]))
    assert finding.severity is Severity.WARNING


def test_readiness_passes_flat_disk():
    assert outcomes(rule, make_vm()) == []
