import dataclasses

from migrate.planning.landing import lz_13_finalize_privileges as rule
from migrate.readiness.rule import Severity
from migrate.target.privileges import REQUIRED_PRIVILEGES
from tests.planning.landing.helpers import ALL, snapshot, zone


def test_the_migration_role_alone_names_the_finalize_privileges_and_role_as_information():
    [finding] = rule.check(zone(snapshot(privileges=REQUIRED_PRIVILEGES)))
    assert finding.rule_id == "LZ-13" and finding.severity is Severity.INFO
    assert "lacks Sys.Console, Sys.Modify, VM.Backup on /" in finding.message and "MigrateFinalize" in finding.message
    assert "docs/proxmox-role.md" in finding.remedy


def test_one_missing_finalize_privilege_is_named_alone():
    [finding] = rule.check(zone(snapshot(privileges=tuple(p for p in ALL if p != "VM.Backup"))))
    assert finding.evidence["missing"] == ["VM.Backup"]


def test_a_token_holding_both_roles_passes():
    assert rule.check(zone(snapshot())) == []


def test_privileges_that_could_not_be_read_are_left_to_lz_10():
    assert rule.check(zone(dataclasses.replace(snapshot(), privileges_known=False))) == []
