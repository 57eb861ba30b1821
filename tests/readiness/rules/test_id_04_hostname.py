import pytest

from migrate.readiness.rules import id_04_hostname as rule
from tests.readiness.factories import make_vm, outcomes


@pytest.mark.parametrize("hostname", ["", "localhost.localdomain", "localhost"])
def test_readiness_notes_empty_or_default_hostname(hostname):
    (finding,) = outcomes(rule, make_vm(hostname=hostname))
    assert finding.evidence == {"hostname": hostname}


@pytest.mark.parametrize("hostname", ["app01.example.com", None])
def test_readiness_ignores_real_or_unknown_hostname(hostname):
    assert outcomes(rule, make_vm(hostname=hostname)) == []
