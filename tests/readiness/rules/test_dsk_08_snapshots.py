from migrate.inventory.model import Snapshot
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_08_snapshots as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_warns_for_snapshots():
    (finding,) = outcomes(rule, make_vm(snapshots=[Snapshot("before-patch"), Snapshot("after", parent="before-patch")]))
    assert finding.severity is Severity.WARNING and finding.evidence == {"snapshots": ["before-patch", "after"]}


def test_readiness_passes_vm_without_snapshots():
    assert outcomes(rule, make_vm(snapshots=[])) == []
