import pytest

from migrate.readiness.rules import os_05_cpu_level as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize(("guest_id", "level"), [("rhel9_64Guest", "x86-64-v2"), ("rhel10_64Guest", "x86-64-v3")])
def test_readiness_notes_minimum_cpu_level(guest_id, level):
    (finding,) = outcomes(rule, make_vm(guest_id=guest_id))
    assert level in finding.message


def test_readiness_ignores_guest_without_cpu_level_needs():
    assert outcomes(rule, make_vm(guest_id="rhel8_64Guest")) == []


@pytest.mark.parametrize(("name", "level"), [("Red Hat Enterprise Linux 9 (64-bit)", "x86-64-v2"),
                                             ("Rocky Linux 10 (64-bit)", "x86-64-v3")])
def test_the_os_name_of_an_export_without_guest_ids_gives_the_level_too(name, level):
    (finding,) = outcomes(rule, make_vm(guest_id=None, guest_full_name=name))
    assert finding.message.endswith(level)
