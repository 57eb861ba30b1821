from migrate.inventory.model import Snapshot
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_08_snapshots as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_blocks_a_vm_with_snapshots_as_preflight_refuses_it():
    (finding,) = outcomes(rule, make_vm(snapshots=[Snapshot("before-patch"), Snapshot("after", parent="before-patch")]))
    assert finding.severity is Severity.BLOCKER and finding.evidence == {"snapshots": ["before-patch", "after"]}
    assert "has 2 snapshot(s) ('before-patch', 'after') and the copy reads only the base disks" in finding.message


def test_readiness_passes_vm_without_snapshots():
    assert outcomes(rule, make_vm(snapshots=[])) == []
