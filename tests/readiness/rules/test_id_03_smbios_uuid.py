from migrate.readiness.rule import Severity
from migrate.readiness.rules import id_03_smbios_uuid as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_notes_kept_smbios_uuid():
    (finding,) = outcomes(rule, make_vm())
    assert finding.severity is Severity.INFO and finding.evidence == {"bios_uuid": "4201aaaa-0000-0000-0000-000000000101"}


def test_readiness_says_nothing_without_bios_uuid():
    assert outcomes(rule, make_vm(bios_uuid=None)) == []
