import dataclasses

from migrate.planning.landing import lz_10_privileges as rule
from tests.planning.landing.helpers import ALL, snapshot, zone


def test_missing_privileges_are_named():
    held = tuple(p for p in ALL if p not in ("Datastore.AllocateSpace", "SDN.Use"))
    [finding] = rule.check(zone(snapshot(privileges=held)))
    assert finding.rule_id == "LZ-10" and "Datastore.AllocateSpace, SDN.Use" in finding.message


def test_privileges_that_could_not_be_read_are_a_finding():
    [finding] = rule.check(zone(dataclasses.replace(snapshot(), privileges_known=False)))
    assert "could not be read" in finding.message


def test_every_privilege_held_passes():
    assert rule.check(zone(snapshot())) == []


def test_the_role_document_names_every_required_privilege_and_the_pveum_commands():
    from pathlib import Path

    from migrate.target.privileges import REQUIRED_PRIVILEGES, pveum_commands

    text = (Path(__file__).resolve().parents[3] / "docs" / "proxmox-role.md").read_text()
    assert [p for p in REQUIRED_PRIVILEGES if f"| `{p}` |" not in text] == []
    assert all(command in text for command in pveum_commands())
