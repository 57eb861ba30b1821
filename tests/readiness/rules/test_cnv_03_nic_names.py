from migrate.readiness.rule import Severity
from migrate.readiness.rules import cnv_03_nic_names as rule
from tests.readiness.factories import make_context, make_mappings, make_nic, make_vm, outcomes, with_override

WINDOWS = {"guest_id": "windows2019srv_64Guest", "guest_full_name": "Microsoft Windows Server 2019 (64-bit)"}


def test_readiness_names_the_interface_names_the_conversion_assumes_for_a_linux_guest():
    vm = make_vm(nics=[make_nic(), make_nic(key=4001, mac="00:50:56:01:02:04")])
    (finding,) = outcomes(rule, vm)
    assert finding.severity is Severity.INFO and finding.evidence == {"interfaces": ["ens192", "ens224"]}
    assert "nic_names" in finding.remedy


def test_readiness_trusts_the_names_the_mapping_file_gives_and_ignores_windows():
    vm = make_vm()
    named = with_override(make_mappings(), "app01", nic_names=("eth0",))
    assert outcomes(rule, vm, make_context(vm, mappings=named)) == []
    assert outcomes(rule, make_vm(**WINDOWS)) == []


def test_readiness_cannot_name_the_pinned_names_without_the_nics_macs():
    (unknown,) = outcomes(rule, make_vm(nics=[make_nic(mac=None)]))
    assert "MAC of Network adapter 1" in unknown.message
