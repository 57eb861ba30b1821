import pytest

from migrate.inventory.model import Datastore, Inventory
from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_14_object_datastore as rule
from tests.readiness.factories import make_context, make_vm, outcomes


def _context(vm, kind):
    return make_context(inventory=Inventory("vc1", vms=[vm], datastores=[Datastore("ds1", type=kind)]))


@pytest.mark.parametrize("kind", ["vsan", "VVOL"])
def test_readiness_warns_for_disk_on_object_datastore(kind):
    vm = make_vm()
    (finding,) = outcomes(rule, vm, _context(vm, kind))
    assert finding.severity is Severity.WARNING and finding.evidence == {"datastores[ds1].type": kind}


@pytest.mark.parametrize("kind", ["VMFS", "NFS", None])
def test_readiness_passes_file_datastore(kind):
    vm = make_vm()
    assert outcomes(rule, vm, _context(vm, kind)) == []
