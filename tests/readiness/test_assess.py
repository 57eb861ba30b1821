import pytest

from migrate.inventory.model import Inventory, Vm
from migrate.mapping.model import TargetFacts
from migrate.readiness.assess import assess, verdict_of
from migrate.readiness.rule import Finding, Severity, Unknown, Verdict
from migrate.readiness.rules import RULES_VERSION
from tests.readiness.factories import make_disk, make_mappings, make_vm

BLOCKER = Finding("DSK-06", Severity.BLOCKER, "m", "r")
WARNING = Finding("INV-03", Severity.WARNING, "m", "r")
INFO = Finding("ID-03", Severity.INFO, "m", "r")
UNKNOWN = Unknown("FW-01", "firmware", "m")
UNSEEN_BLOCKER = Unknown("DEV-01", "PCI passthrough devices", "m", can_block=True)


@pytest.mark.parametrize(
    ("findings", "unknowns", "verdict"),
    [
        ([BLOCKER, WARNING], [UNKNOWN], Verdict.NOT_READY),
        ([WARNING, INFO], [UNKNOWN], Verdict.READY_WITH_CONDITIONS),
        ([INFO], [UNKNOWN], Verdict.UNKNOWN),
        ([WARNING], [UNSEEN_BLOCKER], Verdict.UNKNOWN),  # a blocker it cannot see must not read as conditions
        ([BLOCKER], [UNSEEN_BLOCKER], Verdict.NOT_READY),
        ([INFO], [], Verdict.READY),
        ([], [], Verdict.READY),
    ],
)
def test_verdict_is_the_worst_outcome(findings, unknowns, verdict):
    assert verdict_of(findings, unknowns) is verdict


def _assess(*vms):
    return assess(Inventory("vc1.example.com", vms=list(vms)), make_mappings(), TargetFacts())


def test_assess_judges_every_vm_in_a_stable_order_with_the_rules_version():
    vms = [make_vm(name=n, moref=f"vm-{n}", folder=f) for n, f in [("b", "/DC1/vm/x"), ("a", "/DC1/vm/y"), ("c", "/DC1/vm/x")]]
    results = _assess(*vms)
    assert [r.vm.name for r in results] == ["b", "c", "a"]
    assert [r.vm.name for r in _assess(*reversed(vms))] == ["b", "c", "a"]
    assert {r.rules_version for r in results} == {RULES_VERSION}


def test_default_vm_is_ready_and_a_multiwriter_vm_is_not():
    ready, blocked = _assess(make_vm(), make_vm(name="db", moref="vm-2", nics=[], disks=[make_disk(sharing="sharingMultiWriter", file_path="[ds1] db/db.vmdk")]))
    assert ready.verdict is Verdict.READY and blocked.verdict is Verdict.NOT_READY
    assert blocked.findings[0].rule_id == "DSK-06"


def test_an_rvtools_like_vm_with_little_data_is_unknown_not_guessed():
    (result,) = _assess(Vm(name="from-rvtools", moref="x", power_state="poweredOff", connection_state="connected"))
    assert result.verdict is Verdict.UNKNOWN
    assert {u.rule_id for u in result.unknowns} == {"OS-01", "FW-01"}
    assert result.config.params["ostype"] == "other"


def test_findings_are_sorted_worst_first():
    (result,) = _assess(make_vm(power_state="poweredOn", tools_running="guestToolsRunning", nics=[], disks=[make_disk(sharing="sharingMultiWriter")]))
    severities = [f.severity for f in result.findings]
    assert severities == sorted(severities, key=[Severity.BLOCKER, Severity.WARNING, Severity.INFO].index)


def test_a_suspended_vm_can_block_so_an_unknown_power_state_says_so():
    (result,) = _assess(make_vm(power_state=None))
    (unknown,) = [u for u in result.unknowns if u.rule_id == "INV-03"]
    assert unknown.can_block and result.verdict is Verdict.UNKNOWN
