from migrate.mapping.model import TargetFacts
from migrate.readiness.rule import Severity
from migrate.readiness.rules import cnv_02_virtio_win_iso as rule
from tests.readiness.factories import make_context, make_mappings, make_vm, outcomes, with_override

WINDOWS = {"guest_id": "windows2019srv_64Guest", "guest_full_name": "Microsoft Windows Server 2019 (64-bit)"}


def test_readiness_warns_that_windows_is_not_converted_while_the_target_names_no_iso():
    (finding,) = outcomes(rule, make_vm(**WINDOWS))
    assert finding.severity is Severity.WARNING and "--virtio-win PATH" in finding.remedy
    assert "safe config (SATA, e1000e)" in finding.message, finding.message


def test_readiness_passes_windows_once_the_target_names_the_iso_and_linux_or_convert_false():
    vm = make_vm(**WINDOWS)
    assert outcomes(rule, vm, make_context(vm, target=TargetFacts(virtio_win="/isos/virtio-win.iso"))) == []
    assert outcomes(rule, vm, make_context(vm, mappings=with_override(make_mappings(), "app01", convert=False))) == []
    assert outcomes(rule, make_vm()) == []
