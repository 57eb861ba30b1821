from migrate.inventory.model import Host, Inventory
from migrate.readiness.rule import Severity
from migrate.readiness.rules import inv_02_host_maintenance as rule
from tests.readiness.factories import make_context, make_vm, outcomes


def _context(vm, maintenance):
    return make_context(inventory=Inventory("vc1", vms=[vm], hosts=[Host("esx1.example.com", maintenance=maintenance)]))


def test_readiness_warns_when_source_host_is_in_maintenance():
    vm = make_vm()
    (finding,) = outcomes(rule, vm, _context(vm, True))
    assert finding.severity is Severity.WARNING and finding.evidence["host"] == "esx1.example.com"


def test_readiness_passes_host_not_in_maintenance_or_not_known():
    vm = make_vm()
    assert outcomes(rule, vm, _context(vm, False)) == []
    assert outcomes(rule, vm, _context(vm, None)) == []
