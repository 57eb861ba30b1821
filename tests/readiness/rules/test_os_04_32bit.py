import pytest

from migrate.readiness.rule import Severity
from migrate.readiness.rules import os_04_32bit as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("guest_id", ["windows7Guest", "rhel6Guest", "debian10Guest"])
def test_readiness_notes_32_bit_guest(guest_id):
    (finding,) = outcomes(rule, make_vm(guest_id=guest_id))
    assert finding.severity is Severity.INFO


@pytest.mark.parametrize("guest_id", ["windows7_64Guest", "rhel8_64Guest", "otherGuest", None])
def test_readiness_ignores_64_bit_or_generic_guest(guest_id):
    assert outcomes(rule, make_vm(guest_id=guest_id)) == []


def test_the_os_name_of_an_export_without_guest_ids_says_32_bit():
    (finding,) = outcomes(rule, make_vm(guest_id=None, guest_full_name="Red Hat Enterprise Linux 5 (32-bit)"))
    assert finding.severity is Severity.INFO
    assert outcomes(rule, make_vm(guest_id=None, guest_full_name="Red Hat Enterprise Linux 5 (64-bit)")) == []
