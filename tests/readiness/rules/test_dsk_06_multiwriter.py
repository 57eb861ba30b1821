from migrate.inventory.model import Inventory
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_06_multiwriter as rule
from tests.readiness.factories import make_context, make_disk, make_vm, outcomes


def test_readiness_blocks_multiwriter_disk():
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(sharing="sharingMultiWriter")]))
    assert finding.severity is Severity.BLOCKER


def test_readiness_blocks_disk_file_attached_to_two_vms():
    shared = make_disk(file_path="[ds1] quorum/quorum.vmdk")
    first, second = make_vm(disks=[shared]), make_vm(name="app02", moref="vm-102", disks=[shared])
    context = make_context(inventory=Inventory("vc1", vms=[first, second]))
    (finding,) = outcomes(rule, first, context)
    assert finding.evidence["shared_with"] == ["vm-102"]


def test_readiness_passes_unshared_disk():
    assert outcomes(rule, make_vm()) == []
