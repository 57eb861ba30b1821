from migrate.mapping.model import NetworkTarget
from migrate.readiness.rule import Severity, Unknown
from migrate.readiness.rules import net_06_unmapped_network as rule
from tests.readiness.factories import make_context, make_mappings, make_nic, make_vm, outcomes, with_override


def test_readiness_blocks_unmapped_network():
    (finding,) = outcomes(rule, make_vm(nics=[make_nic(network="DMZ")]))
    assert finding.severity is Severity.BLOCKER and finding.evidence == {"nics[Network adapter 1].network": "DMZ"}


def test_readiness_is_unknown_when_nic_network_is_not_known():
    assert isinstance(outcomes(rule, make_vm(nics=[make_nic(network=None)]))[0], Unknown)


def test_readiness_passes_network_mapped_per_vm():
    vm = make_vm(nics=[make_nic(network="DMZ")])
    mappings = with_override(make_mappings(), "app01", networks={"DMZ": NetworkTarget("vmbr9")})
    assert outcomes(rule, vm, make_context(vm, mappings=mappings)) == []
