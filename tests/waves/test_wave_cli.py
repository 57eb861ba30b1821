"""`migrate wave create|list` on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from migrate.db.plan_models import Wave
from tests.factories import make_inventory, make_vm, store_inventory
from tests.support.cli import run_cli


def _estate(session):
    store_inventory(session, make_inventory(
        make_vm("web-01", folder="/DC1/vm/web"), make_vm("web-02", folder="/DC1/vm/web"),
        make_vm("db-01", folder="/DC1/vm/db", custom_attributes={"app": "shop"}),
        make_vm("shop-app", folder="/DC1/vm/apps", custom_attributes={"app": "shop"}),
        make_vm("mail-01", folder="/DC1/vm/mail"),
    ))


def test_create_selects_by_folder_and_name_and_pulls_in_the_group(db_url, session):
    _estate(session)
    result = run_cli("wave", "create", "1", "--name", "Web tier", "--folder", "/DC1/vm/web", "--vm", "db-01", db_url=db_url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "created wave 1 (Web tier): 4 VMs, 1 pulled in by their application group\n"
    listed = json.loads(run_cli("wave", "list", "--format", "json", db_url=db_url).stdout)
    assert [(w["wave"], w["name"], w["vms"]) for w in listed] == [(1, "Web tier", 4)]


def test_a_vm_already_in_a_wave_is_refused_naming_the_vm_and_its_wave(db_url, session):
    _estate(session)
    run_cli("wave", "create", "1", "--name", "Web tier", "--vm", "web-01", db_url=db_url)
    result = run_cli("wave", "create", "2", "--pattern", "web-*", db_url=db_url)
    assert result.exit_code == 2
    assert result.stderr == ("migrate: error: VM web-01 is already in wave 1 (Web tier): a VM is in at most one wave; "
                             "leave it out of this selection\n")
    assert session.scalars(select(Wave.number)).all() == [1]


def test_a_group_member_in_another_wave_is_refused_and_says_why_it_was_pulled_in(db_url, session):
    _estate(session)
    run_cli("wave", "create", "1", "--vm", "mail-01", "--vm", "shop-app", "--group-by", "none", db_url=db_url)
    result = run_cli("wave", "create", "2", "--vm", "db-01", db_url=db_url)
    assert result.exit_code == 2 and "VM shop-app (pulled in by its group app=shop) is already in wave 1" in result.stderr


def test_create_from_csv(db_url, session, tmp_path):
    _estate(session)
    path = tmp_path / "wave2.csv"
    path.write_text("\ufeffVM,owner\r\nmail-01,ops\r\nweb-02,web\r\n", encoding="utf-8")
    result = run_cli("wave", "create", "2", "--from-csv", str(path), db_url=db_url)
    assert result.exit_code == 0 and "2 VMs" in result.stdout


def test_bad_input_gives_one_line_and_creates_nothing(db_url, session, tmp_path):
    _estate(session)
    no_column = tmp_path / "bad.csv"
    no_column.write_text("host\nx\n")
    cases = [
        (("--vm", "ghost"), "no VM named ghost in the inventory"),
        (("--folder", "/nowhere"), "the selection matches no VM"),
        ((), "select VMs with --folder"),
        (("--attribute", "app"), "give it as NAME=VALUE"),
        (("--from-csv", str(no_column)), "no `vm` column"),
        (("--from-csv", str(tmp_path / "missing.csv")), "cannot read"),
    ]
    for args, message in cases:
        result = run_cli("wave", "create", "3", *args, db_url=db_url)
        assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1, (args, result)
    run_cli("wave", "create", "3", "--vm", "mail-01", db_url=db_url)
    again = run_cli("wave", "create", "3", "--vm", "web-01", db_url=db_url)
    assert again.exit_code == 2 and "wave 3 exists already" in again.stderr
    assert session.scalars(select(Wave.number)).all() == [3]


def test_a_waves_stop_policy_is_set_at_creation_shown_and_changed(db_url, session):
    _estate(session)
    created = run_cli("wave", "create", "1", "--vm", "web-01", "--shutdown-timeout", "600", db_url=db_url)
    assert created.exit_code == 0, created.stderr
    listed = json.loads(run_cli("wave", "list", "--format", "json", db_url=db_url).stdout)
    assert [(w["shutdown_timeout"], w["power_off"]) for w in listed] == [(600, "no")]
    changed = run_cli("wave", "policy", "1", "--allow-power-off", db_url=db_url)
    assert changed.stdout == "wave 1: guest shutdown, 600 s to go down, then powered off\n"
    shown = run_cli("wave", "policy", "1", db_url=db_url)
    assert shown.stdout == changed.stdout
    taken_back = run_cli("wave", "policy", "1", "--no-power-off", "--shutdown-timeout", "120", db_url=db_url)
    assert taken_back.stdout == "wave 1: guest shutdown, 120 s to go down, never powered off hard\n"
    session.expire_all()
    wave = session.scalars(select(Wave)).one()
    assert (wave.shutdown_timeout, wave.allow_power_off) == (120, False)


def test_a_new_wave_never_powers_off_hard_unless_told(db_url, session):
    _estate(session)
    run_cli("wave", "create", "1", "--vm", "web-01", db_url=db_url)
    assert run_cli("wave", "policy", "1", db_url=db_url).stdout == (
        "wave 1: guest shutdown, 300 s to go down, never powered off hard\n")


def test_the_policy_of_an_unknown_wave_is_one_line_naming_the_fix(db_url, session):
    result = run_cli("wave", "policy", "4", "--allow-power-off", db_url=db_url)
    assert result.exit_code != 0 and result.stderr.count("\n") == 1
    assert "wave 4 does not exist: create it with `migrate wave create 4 ...`" in result.stderr
