from migrate.mapping.model import StorageTarget
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_17_unmapped_datastore as rule
from tests.readiness.factories import make_context, make_disk, make_mappings, make_vm, outcomes, with_override


def test_readiness_blocks_unmapped_datastore():
    vm = make_vm(disks=[make_disk(datastore="ds9")])
    (finding,) = outcomes(rule, vm)
    assert finding.severity is Severity.BLOCKER and finding.evidence == {"datastore": "ds9"}


def test_readiness_blocks_datastore_marked_todo():
    vm = make_vm()
    assert outcomes(rule, vm, make_context(vm, mappings=make_mappings(storage={"ds1": None})))


def test_readiness_passes_mapped_datastore_or_per_vm_storage():
    vm = make_vm(disks=[make_disk(datastore="ds9")])
    assert outcomes(rule, make_vm()) == []
    mappings = with_override(make_mappings(), "app01", storage="fast")
    assert outcomes(rule, vm, make_context(vm, mappings=mappings)) == []
    assert outcomes(rule, vm, make_context(vm, mappings=make_mappings(storage={"ds9": StorageTarget("tgt")}))) == []
