"""Waves as a document the customer edits: show, add, remove, move, delete, and the CSV export/import round trip."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from migrate.db.execution_models import VmMigration
from migrate.db.models import VmRecord
from migrate.db.plan_models import Wave, WaveVm
from tests.factories import make_inventory, make_vm, store_inventory
from tests.support.cli import run_cli


def _estate(session):
    store_inventory(session, make_inventory(*(make_vm(name) for name in ("web-01", "web-02", "db-01", "db-02", "mail-01"))))


def _waves(session) -> dict[str, int]:
    """VM name -> wave number, as the database holds it."""
    session.expire_all()
    rows = session.execute(select(VmRecord.name, Wave.number).join(WaveVm, WaveVm.vm_id == VmRecord.id)
                           .join(Wave, Wave.id == WaveVm.wave_id))
    return dict(rows.all())


def _began_migrating(session, wave, name, status="done"):
    vm_id = session.scalar(select(VmRecord.id).where(VmRecord.name == name))
    session.add(VmMigration(wave=wave, vm_id=vm_id, vm_name=name, status=status))
    session.commit()


def _two_waves(db_url):
    assert run_cli("wave", "create", "1", "--pattern", "web-*", "--vm", "db-01", db_url=db_url).exit_code == 0
    assert run_cli("wave", "create", "2", "--vm", "db-02", db_url=db_url).exit_code == 0


def test_add_remove_and_move_change_the_waves_and_say_what_they_did(db_url, session):
    _estate(session)
    _two_waves(db_url)

    added = run_cli("wave", "add", "2", "mail-01", db_url=db_url)
    moved = run_cli("wave", "move", "db-01", "--to", "2", db_url=db_url)
    removed = run_cli("wave", "remove", "1", "web-02", db_url=db_url)

    assert (added.exit_code, moved.exit_code, removed.exit_code) == (0, 0, 0)
    assert added.stderr == "wave 2: 1 VM added (mail-01)\n"
    assert moved.stderr == "moved db-01 from wave 1 to wave 2\n"
    assert removed.stderr == "wave 1: 1 VM removed (web-02)\n"
    assert _waves(session) == {"web-01": 1, "db-01": 2, "db-02": 2, "mail-01": 2}
    shown = json.loads(run_cli("wave", "show", "2", "--format", "json", db_url=db_url).stdout)
    assert [row["vm"] for row in shown] == ["db-01", "db-02", "mail-01"]


def test_adding_a_vm_of_another_wave_names_the_move_command(db_url, session):
    _estate(session)
    _two_waves(db_url)
    result = run_cli("wave", "add", "2", "web-01", db_url=db_url)
    assert result.exit_code == 2
    assert result.stderr == "migrate: error: VM web-01 is in wave 1: move it with `migrate wave move web-01 --to 2`\n"
    assert _waves(session)["web-01"] == 1


def test_a_vm_that_began_migrating_stays_in_its_wave_and_its_wave_is_not_deleted(db_url, session):
    _estate(session)
    _two_waves(db_url)
    _began_migrating(session, 1, "web-01")

    moved = run_cli("wave", "move", "web-01", "--to", "2", db_url=db_url)
    removed = run_cli("wave", "remove", "1", "web-01", db_url=db_url)
    deleted = run_cli("wave", "delete", "1", db_url=db_url)

    assert moved.exit_code == removed.exit_code == deleted.exit_code == 2
    assert "VM web-01 began migrating in wave 1 (done): cannot move it out of the wave" in moved.stderr
    assert "roll it back first (`migrate rollback --vm web-01`)" in removed.stderr
    assert "cannot delete the wave" in deleted.stderr
    assert _waves(session)["web-01"] == 1


def test_a_rolled_back_vm_may_move_and_an_untouched_wave_is_deleted(db_url, session):
    _estate(session)
    _two_waves(db_url)
    _began_migrating(session, 2, "db-02", status="rolled_back")

    assert run_cli("wave", "move", "db-02", "--to", "1", db_url=db_url).exit_code == 0
    deleted = run_cli("wave", "delete", "2", db_url=db_url)

    assert deleted.exit_code == 0 and deleted.stderr == "deleted wave 2 (0 VMs now in no wave)\n"
    assert session.scalars(select(Wave.number)).all() == [1]
    assert _waves(session)["db-02"] == 1


def test_unknown_and_ambiguous_names_are_refused(db_url, session):
    store_inventory(session, make_inventory(make_vm("web-01"), make_vm("twin", moref="vm-1"), make_vm("twin", moref="vm-2")))
    assert run_cli("wave", "create", "1", "--vm", "web-01", db_url=db_url).exit_code == 0
    unknown = run_cli("wave", "add", "1", "nope", db_url=db_url)
    twins = run_cli("wave", "add", "1", "twin", db_url=db_url)
    by_moref = run_cli("wave", "add", "1", "vm-2", db_url=db_url)
    assert unknown.stderr == "migrate: error: no VM named nope in the inventory: check `migrate inventory list`\n"
    assert "2 VMs are named twin: name it by its moref or instance UUID" in twins.stderr
    assert by_moref.exit_code == 0 and by_moref.stderr == "wave 1: 1 VM added (twin)\n"


def _export(db_url, tmp_path) -> list[dict[str, str]]:
    path = tmp_path / "waves.csv"
    result = run_cli("wave", "export", "--csv", str(path), "--mappings", str(tmp_path), db_url=db_url)
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _import(db_url, tmp_path, rows, *extra):
    path = tmp_path / "edited.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["wave", "vm"])
        writer.writeheader()
        writer.writerows(rows)
    return run_cli("wave", "import", "--csv", str(path), "--mappings", str(tmp_path), "--format", "json", *extra,
                   db_url=db_url)


def test_the_csv_round_trip_shows_and_applies_exactly_the_edits(db_url, session, tmp_path):
    _estate(session)
    _two_waves(db_url)
    rows = _export(db_url, tmp_path)
    assert [(r["wave"], r["vm"], r["proxmox_name"]) for r in rows][:4] == [
        ("1", "db-01", "db-01"), ("1", "web-01", "web-01"), ("1", "web-02", "web-02"), ("2", "db-02", "db-02")]
    by_name = {row["vm"]: row for row in rows}
    by_name["web-02"]["wave"] = "2"                       # move two VMs
    by_name["mail-01"]["wave"] = "3"                      # (into a wave that does not exist yet)
    by_name["db-01"]["proxmox_name"] = "orders-db"        # rename one
    by_name["db-01"]["owner"], by_name["db-01"]["order"] = "DBA team", "1"
    edited = [row for name, row in by_name.items() if name != "db-02"]  # delete a row

    shown = _import(db_url, tmp_path, edited, "--dry-run")
    assert shown.exit_code == 0, shown.stderr
    expected = [
        {"vm": "db-01", "field": "proxmox_name", "old": "db-01", "new": "orders-db"},
        {"vm": "db-01", "field": "order", "old": "", "new": "1"},
        {"vm": "db-01", "field": "owner", "old": "", "new": "DBA team"},
        {"vm": "db-02", "field": "wave", "old": "2", "new": ""},
        {"vm": "mail-01", "field": "wave", "old": "", "new": "3"},
        {"vm": "web-02", "field": "wave", "old": "1", "new": "2"},
    ]
    assert json.loads(shown.stdout) == expected
    assert _waves(session) == {"web-01": 1, "web-02": 1, "db-01": 1, "db-02": 2}  # a dry run changes nothing

    applied = _import(db_url, tmp_path, edited, "--yes")

    assert applied.exit_code == 0 and json.loads(applied.stdout) == expected
    assert applied.stderr.endswith("6 changes applied\n")
    assert _waves(session) == {"web-01": 1, "db-01": 1, "web-02": 2, "mail-01": 3}
    again = {row["vm"]: row for row in _export(db_url, tmp_path)}
    assert (again["db-01"]["proxmox_name"], again["db-01"]["owner"], again["db-01"]["order"]) == ("orders-db", "DBA team", "1")
    assert _import(db_url, tmp_path, list(again.values()), "--yes").stderr.endswith(": no changes\n")


def test_an_import_without_yes_off_a_terminal_shows_the_changes_and_applies_nothing(db_url, session, tmp_path):
    _estate(session)
    _two_waves(db_url)
    rows = _export(db_url, tmp_path)
    rows[0]["wave"] = "2"
    result = _import(db_url, tmp_path, rows)
    assert result.exit_code == 2 and json.loads(result.stdout)[0]["field"] == "wave"
    assert result.stderr == "migrate: error: 1 change shown above: add --yes to apply them\n"
    assert _waves(session)["db-01"] == 1


def test_bad_rows_are_refused_by_row_number_and_nothing_is_applied(db_url, session, tmp_path):
    _estate(session)
    _two_waves(db_url)
    good = _export(db_url, tmp_path)
    assert [row["vm"] for row in good[:2]] == ["db-01", "web-01"]  # rows 2 and 3 of the file
    db_identity = {key: good[0][key] for key in ("vm", "instance_uuid", "moref")}
    cases = {  # label: (index of the row edited, its new cells, the row named, the message)
        "unknown VM": (1, {"vm": "ghost", "instance_uuid": "", "moref": ""}, 3, "no VM named ghost in the inventory"),
        "VM twice": (1, db_identity, 3, "VM db-01 is also on row 2: keep one row per VM"),
        "bad wave": (0, {"wave": "two"}, 2, "wave 'two' is not a wave number"),
        "bad order": (0, {"order": "-1"}, 2, "order '-1' is not a whole number from 0"),
        "bad name": (0, {"proxmox_name": "orders_db"}, 2, "Proxmox name 'orders_db' is not a valid name"),
        "name twice": (1, {"proxmox_name": "db-01"}, 3, "Proxmox name db-01 is also on row 2"),
    }
    for label, (index, cells, line, message) in cases.items():
        rows = [dict(row) for row in good]
        rows[index].update(cells)
        rows[-1]["wave"] = "4"  # a good edit in the same file, which must not be applied either
        result = _import(db_url, tmp_path, rows, "--yes")
        assert result.exit_code == 2, label
        assert f"edited.csv row {line}: {message}" in result.stderr, (label, result.stderr)
        assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    assert _waves(session) == {"web-01": 1, "web-02": 1, "db-01": 1, "db-02": 2}


def test_an_import_that_would_move_a_vm_that_began_migrating_is_refused_naming_the_row(db_url, session, tmp_path):
    _estate(session)
    _two_waves(db_url)
    _began_migrating(session, 2, "db-02", status="running")
    rows = [row for row in _export(db_url, tmp_path) if row["vm"] != "db-02"]
    result = _import(db_url, tmp_path, rows, "--yes")
    assert result.exit_code == 2
    assert "a deleted row: VM db-02 began migrating in wave 2 (running): its wave cannot change" in result.stderr
    assert _waves(session)["db-02"] == 2


def test_a_formula_in_a_note_is_exported_inert_and_read_back_as_written(db_url, session, tmp_path):
    _estate(session)
    _two_waves(db_url)
    rows = _export(db_url, tmp_path)
    rows[0]["notes"] = "=HYPERLINK(\"http://evil\")"
    assert _import(db_url, tmp_path, rows, "--yes").exit_code == 0
    exported = (tmp_path / "waves.csv")
    _export(db_url, tmp_path)
    assert "'=HYPERLINK" in exported.read_text(encoding="utf-8-sig")
    assert _import(db_url, tmp_path, _export(db_url, tmp_path), "--yes").stderr.endswith(": no changes\n")
