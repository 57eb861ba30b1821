from migrate.readiness.rule import Severity
from migrate.readiness.rules import net_05_nic_count as rule
from tests.readiness.factories import make_nic, make_vm, outcomes


def _nics(count):
    return [make_nic(key=4000 + i, label=f"Network adapter {i + 1}", mac=f"00:50:56:00:00:{i:02x}") for i in range(count)]


def test_readiness_blocks_more_than_32_nics():
    (finding,) = outcomes(rule, make_vm(nics=_nics(33)))
    assert finding.severity is Severity.BLOCKER and finding.evidence == {"nics": 33}


def test_readiness_passes_32_nics():
    assert outcomes(rule, make_vm(nics=_nics(32))) == []
