import pytest

from migrate.readiness.rule import Unknown
from migrate.readiness.rules import os_01_unidentified as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize(
    "overrides",
    [
        {"guest_id": None, "guest_full_name": None},
        {"guest_id": "otherGuest64", "guest_full_name": None},
        {"guest_id": "madeUpGuest", "guest_full_name": "Something odd"},
    ],
)
def test_readiness_is_unknown_for_unidentified_guest(overrides):
    (outcome,) = outcomes(rule, make_vm(**overrides))
    assert isinstance(outcome, Unknown) and outcome.rule_id == "OS-01"


@pytest.mark.parametrize(
    "overrides",
    [{}, {"guest_id": None, "guest_full_name": "Microsoft Windows Server 2019 (64-bit)"}, {"guest_id": "windows8Server64Guest"}],
)
def test_readiness_passes_identified_guest(overrides):
    assert outcomes(rule, make_vm(**overrides)) == []


def test_readiness_notes_an_unknown_windows_id_mapped_by_its_guest_family():
    (finding,) = outcomes(rule, make_vm(guest_id="windows2028srv_64Guest", guest_full_name=None, guest_family="windowsGuest"))
    assert not isinstance(finding, Unknown) and finding.evidence == {"guest_id": "windows2028srv_64Guest", "guest_family": "windowsGuest"}
