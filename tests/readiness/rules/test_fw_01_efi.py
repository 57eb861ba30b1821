from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import fw_01_efi as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_notes_efi_guest():
    (finding,) = outcomes(rule, make_vm(firmware="efi"))
    assert finding.severity is Severity.INFO and finding.evidence == {"firmware": "efi"}


def test_readiness_ignores_bios_guest():
    assert outcomes(rule, make_vm(firmware="bios")) == []


def test_readiness_is_unknown_without_firmware():
    assert isinstance(outcomes(rule, make_vm(firmware=None))[0], Unknown)
