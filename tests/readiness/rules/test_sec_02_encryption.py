from migrate.readiness.rule import Severity
from migrate.readiness.rules import sec_02_encryption as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


def test_readiness_blocks_encrypted_vm():
    (finding,) = outcomes(rule, make_vm(encryption_key_id="kms-1/key-9"))
    assert finding.severity is Severity.BLOCKER and finding.evidence == {"encryption_key_id": "kms-1/key-9"}


def test_readiness_blocks_encrypted_disk():
    (finding,) = outcomes(rule, make_vm(disks=[make_disk(key_id="kms-1/key-3")]))
    assert finding.evidence == {"disks[Hard disk 1].key_id": "kms-1/key-3"}


def test_readiness_passes_unencrypted_vm():
    assert outcomes(rule, make_vm()) == []
