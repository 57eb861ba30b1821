from migrate.mapping.model import TargetFacts
from migrate.readiness.rule import Severity
from migrate.readiness.rules import cnv_01_converted as rule
from tests.readiness.factories import make_context, make_mappings, make_vm, outcomes, with_override

WINDOWS = {"guest_id": "windows2019srv_64Guest", "guest_full_name": "Microsoft Windows Server 2019 (64-bit)"}
ISO = "/var/lib/vz/template/iso/virtio-win.iso"


def test_readiness_says_what_the_conversion_changes_in_a_linux_guest():
    (finding,) = outcomes(rule, make_vm())
    assert finding.severity is Severity.INFO and "open-vm-tools" in finding.message
    assert "ens192 = 00:50:56:01:02:03" in finding.message and finding.evidence["guest"] == "linux"


def test_readiness_says_windows_is_converted_with_the_iso_the_target_names():
    vm = make_vm(**WINDOWS)
    (finding,) = outcomes(rule, vm, make_context(vm, target=TargetFacts(virtio_win=ISO)))
    assert f"drivers and the guest agent from {ISO}" in finding.message


def test_readiness_says_nothing_for_guests_the_conversion_leaves_alone():
    assert outcomes(rule, make_vm(**WINDOWS)) == []  # no ISO: CNV-02's
    assert outcomes(rule, make_vm(guest_id="freebsd13_64Guest", guest_full_name="FreeBSD 13 (64-bit)")) == []
    vm = make_vm()
    off = with_override(make_mappings(), "app01", convert=False)
    assert outcomes(rule, vm, make_context(vm, mappings=off)) == []
