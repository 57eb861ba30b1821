from migrate.readiness.rules import os_06_guest_id_mismatch as rule
from tests.readiness.factories import make_vm, outcomes


def test_readiness_notes_configured_and_detected_guest_differ():
    (finding,) = outcomes(rule, make_vm(guest_id="rhel7_64Guest", guest_id_detected="rhel9_64Guest"))
    assert finding.evidence == {"guest_id": "rhel7_64Guest", "guest_id_detected": "rhel9_64Guest"}


def test_readiness_ignores_matching_or_missing_detected_guest():
    assert outcomes(rule, make_vm(guest_id_detected="rhel8_64Guest")) == []
    assert outcomes(rule, make_vm(guest_id_detected=None)) == []
