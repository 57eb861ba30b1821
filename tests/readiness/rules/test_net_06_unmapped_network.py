from migrate.inventory.model import Inventory
from migrate.mapping.model import NetworkTarget, TargetFacts
from migrate.readiness.assess import assess
from migrate.readiness.rule import Severity, Unknown, Verdict
from migrate.readiness.rules import net_06_unmapped_network as rule
from tests.readiness.factories import make_context, make_mappings, make_nic, make_vm, outcomes, with_override


def test_an_unmapped_network_is_a_gap_in_the_maps():
    (finding,) = outcomes(rule, make_vm(nics=[make_nic(network="DMZ")]))
    assert rule.RULE.maps and finding.severity is Severity.BLOCKER
    assert finding.evidence == {"network": "DMZ", "nic": "Network adapter 1"}


def test_an_unmapped_network_leaves_the_vm_verdict_alone_and_is_reported_apart():
    (assessment,) = assess(Inventory("vc1", vms=[make_vm(nics=[make_nic(network="DMZ")])]), make_mappings(), TargetFacts())
    assert assessment.verdict is Verdict.READY and assessment.unmapped == ("network DMZ",)
    assert all(f.rule_id != "NET-06" for f in assessment.findings)


def test_readiness_is_unknown_when_nic_network_is_not_known():
    assert isinstance(outcomes(rule, make_vm(nics=[make_nic(network=None)]))[0], Unknown)


def test_readiness_passes_network_mapped_per_vm():
    vm = make_vm(nics=[make_nic(network="DMZ")])
    mappings = with_override(make_mappings(), "app01", networks={"DMZ": NetworkTarget("vmbr9")})
    assert outcomes(rule, vm, make_context(vm, mappings=mappings)) == []
