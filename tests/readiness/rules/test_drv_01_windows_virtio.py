from migrate.readiness.rule import Severity
from migrate.readiness.rules import drv_01_windows_virtio as rule
from tests.readiness.factories import make_context, make_mappings, make_vm, outcomes, with_override

WINDOWS = {"guest_id": "windows2019srv_64Guest", "guest_full_name": "Microsoft Windows Server 2019 (64-bit)"}


def test_readiness_warns_for_windows_without_virtio_driver_proof():
    (finding,) = outcomes(rule, make_vm(**WINDOWS))
    assert finding.severity is Severity.WARNING and "virtio_drivers" in finding.remedy


def test_readiness_warns_for_windows_server_2008_r2_that_proxmox_maps_to_linux():
    assert outcomes(rule, make_vm(guest_id="windows7Server64Guest"))


def test_readiness_passes_windows_with_driver_proof_and_linux():
    vm = make_vm(**WINDOWS)
    mappings = with_override(make_mappings(), "app01", virtio_drivers=True)
    assert outcomes(rule, vm, make_context(vm, mappings=mappings)) == []
    assert outcomes(rule, make_vm()) == []
