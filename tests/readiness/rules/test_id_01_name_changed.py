from migrate.readiness.rule import Severity
from migrate.readiness.rules import id_01_name_changed as rule
from tests.readiness.factories import make_context, make_mappings, make_vm, outcomes, with_override


def test_readiness_notes_name_that_is_not_a_dns_name():
    (finding,) = outcomes(rule, make_vm(name="SQL Server_01"))
    assert finding.severity is Severity.INFO and finding.evidence == {"name": "SQL Server_01", "proxmox_name": "sql-server-01"}


def test_readiness_ignores_valid_or_pinned_name():
    assert outcomes(rule, make_vm(name="app01")) == []
    vm = make_vm(name="SQL Server_01")
    assert outcomes(rule, vm, make_context(vm, mappings=with_override(make_mappings(), "SQL Server_01", name="sql01"))) == []
