from migrate.readiness.rule import Severity
from migrate.readiness.rules import dsk_13_disk_count as rule
from tests.readiness.factories import make_disk, make_vm, outcomes


def _disks(count):
    return [make_disk(key=2000 + i, label=f"Hard disk {i + 1}", unit_number=i) for i in range(count)]


def test_readiness_blocks_more_than_31_disks():
    (finding,) = outcomes(rule, make_vm(disks=_disks(32)))
    assert finding.severity is Severity.BLOCKER and finding.evidence == {"disks": 32, "bus": "scsi"}


def test_readiness_passes_31_disks():
    assert outcomes(rule, make_vm(disks=_disks(31))) == []


def test_a_legacy_guest_whose_config_puts_every_disk_on_ide_holds_four():
    legacy = dict(guest_id="winXPProGuest", guest_full_name="Microsoft Windows XP Professional (32-bit)")
    (finding,) = outcomes(rule, make_vm(disks=_disks(5), **legacy))
    assert finding.evidence == {"disks": 5, "bus": "ide"} and "IDE bus, which holds 4" in finding.message
    assert outcomes(rule, make_vm(disks=_disks(4), **legacy)) == []
