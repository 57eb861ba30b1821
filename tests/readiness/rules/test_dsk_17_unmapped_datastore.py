from migrate.inventory.model import Inventory
from migrate.mapping.model import StorageTarget, TargetFacts
from migrate.readiness.assess import assess
from migrate.readiness.rule import Severity, Verdict
from migrate.readiness.rules import dsk_17_unmapped_datastore as rule
from tests.readiness.factories import make_context, make_disk, make_mappings, make_vm, outcomes, with_override


def test_an_unmapped_datastore_is_a_gap_in_the_maps():
    vm = make_vm(disks=[make_disk(datastore="ds9")])
    (finding,) = outcomes(rule, vm)
    assert rule.RULE.maps and finding.severity is Severity.BLOCKER and finding.evidence == {"datastore": "ds9"}


def test_an_unmapped_datastore_leaves_the_vm_verdict_alone_and_is_reported_apart():
    (assessment,) = assess(Inventory("vc1", vms=[make_vm(disks=[make_disk(datastore="ds9")])]), make_mappings(), TargetFacts())
    assert assessment.verdict is Verdict.READY and assessment.unmapped == ("datastore ds9",)


def test_a_datastore_marked_todo_is_a_gap_in_the_maps():
    vm = make_vm()
    assert outcomes(rule, vm, make_context(vm, mappings=make_mappings(storage={"ds1": None})))


def test_readiness_passes_mapped_datastore_or_per_vm_storage():
    vm = make_vm(disks=[make_disk(datastore="ds9")])
    assert outcomes(rule, make_vm()) == []
    mappings = with_override(make_mappings(), "app01", storage="fast")
    assert outcomes(rule, vm, make_context(vm, mappings=mappings)) == []
    assert outcomes(rule, vm, make_context(vm, mappings=make_mappings(storage={"ds9": StorageTarget("tgt")}))) == []
