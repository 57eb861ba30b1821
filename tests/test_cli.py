"""The command line: exit codes, stdout as data, stderr as talk, and every format."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from migrate.db.session import make_engine, session_factory
from migrate.errors import ExitCode
from migrate.inventory.model import Snapshot
from migrate.inventory.store import save_inventory, start_run
from lab.rvtools import write_rvtools_export
from tests.factories import make_inventory, make_vm
from tests.support.cli import run_cli

HOSTILE = "=HYPERLINK(\"http://evil\")"


def seed(db_url: str, *vms, source: str = "vc.example.com") -> None:
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        run = start_run(session, source, "vsphere-api")
        save_inventory(session, run.id, make_inventory(*vms, source=source))
        session.commit()
    engine.dispose()


def test_unknown_option_is_a_usage_error(db_url):
    result = run_cli("inventory", "list", "--colour", db_url=db_url)
    assert result.exit_code == ExitCode.USAGE
    assert "No such option" in result.stderr and result.stdout == ""


def test_a_database_that_was_never_upgraded_names_the_fix(tmp_path):
    result = run_cli("inventory", "list", db_url=f"sqlite:///{tmp_path / 'new.db'}")
    assert result.exit_code == ExitCode.DATABASE
    assert result.stderr == f"migrate: error: the database sqlite:///{tmp_path / 'new.db'} has no schema yet: run `migrate db upgrade`\n"


def test_a_database_in_a_missing_directory_is_one_line(tmp_path):
    result = run_cli("db", "upgrade", db_url=f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}")
    assert result.exit_code == ExitCode.DATABASE
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_an_unsupported_database_url_is_a_usage_error():
    result = run_cli("inventory", "list", db_url="mysql://x@y/z")
    assert result.exit_code == ExitCode.USAGE
    assert "postgresql+psycopg://" in result.stderr


def test_debug_adds_the_traceback(tmp_path):
    result = run_cli("--debug", "inventory", "list", db_url=f"sqlite:///{tmp_path / 'new.db'}")
    assert result.exit_code == ExitCode.DATABASE
    assert "Traceback" in result.stderr


def test_inventory_list_csv_never_lets_excel_run_a_formula(db_url):
    seed(db_url, make_vm(HOSTILE), make_vm("plain"))
    result = run_cli("inventory", "list", "--format", "csv", db_url=db_url)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(r["name"] for r in rows) == sorted(["'" + HOSTILE, "plain"])


def test_inventory_list_json_holds_every_fact_and_the_exact_name(db_url):
    seed(db_url, make_vm(HOSTILE, num_cpu=6))
    document = json.loads(run_cli("inventory", "list", "--format", "json", db_url=db_url).stdout)
    assert document[0]["name"] == HOSTILE and document[0]["num_cpu"] == 6
    assert {"disks", "nics", "controllers", "devices", "snapshots", "id", "removed"} <= document[0].keys()


def test_table_output_escapes_control_characters(db_url):
    seed(db_url, make_vm("evil\x1b[2Jname"))
    result = run_cli("inventory", "list", db_url=db_url)
    assert "\x1b" not in result.stdout and "evil\\x1b[2Jname" in result.stdout


def test_inventory_show_prints_one_vm_and_json_round_trips(db_url):
    seed(db_url, make_vm("db-01", memory_mb=65536))
    text = run_cli("inventory", "show", "db-01", db_url=db_url)
    assert text.exit_code == 0 and "memory_mb" in text.stdout and "65536" in text.stdout
    document = json.loads(run_cli("inventory", "show", "db-01", "--format", "json", db_url=db_url).stdout)
    assert document["memory_mb"] == 65536


def test_inventory_show_of_an_unknown_vm_is_an_error_with_the_fix(db_url):
    seed(db_url, make_vm("db-01"))
    result = run_cli("inventory", "show", "nope", db_url=db_url)
    assert result.exit_code == ExitCode.ERROR
    assert "migrate inventory list" in result.stderr


def test_inventory_summary_totals_the_estate_apart_from_its_clusters(db_url):
    seed(db_url, make_vm("a", num_cpu=2), make_vm("b", num_cpu=4, cluster="DMZ"))
    rows = list(csv.reader(io.StringIO(run_cli("inventory", "summary", "--format", "csv", db_url=db_url).stdout)))
    assert [row[:2] for row in rows[1:]] == [["DC1", "DMZ"], ["DC1", "Prod"]]  # the clusters only, no total row
    document = json.loads(run_cli("inventory", "summary", "--format", "json", db_url=db_url).stdout)
    assert len(document["clusters"]) == 2 and (document["total"]["vms"], document["total"]["vcpu"]) == (2, 6)
    table = run_cli("inventory", "summary", db_url=db_url).stdout.splitlines()
    assert table[-1].split()[:5] == ["(all)", "2", "2", "0", "6"]


def test_discover_imports_an_rvtools_export(db_url, tmp_path):
    path = write_rvtools_export(make_inventory(make_vm("web-01"), make_vm("web-02")), tmp_path / "export.xlsx")
    result = run_cli("discover", "--rvtools", str(path), db_url=db_url)
    assert result.exit_code == 0, result.stderr
    assert "imported export.xlsx" in result.stdout
    listed = run_cli("inventory", "list", "--format", "json", db_url=db_url).stdout
    assert sorted(vm["name"] for vm in json.loads(listed)) == ["web-01", "web-02"]


def test_discover_refuses_rvtools_and_vcenter_together(db_url, tmp_path):
    path = write_rvtools_export(make_inventory(make_vm("x")), tmp_path / "export.xlsx")
    result = run_cli("discover", "--rvtools", str(path), "--vcenter", "vc", db_url=db_url)
    assert result.exit_code == ExitCode.USAGE


def test_discover_of_a_file_that_is_not_an_export_is_one_line(db_url, tmp_path):
    bogus = tmp_path / "export.xlsx"
    bogus.write_text("not a workbook")
    result = run_cli("discover", "--rvtools", str(bogus), db_url=db_url)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1 and "export.xlsx" in result.stderr


def test_mapping_init_check_and_map_show(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    maps = tmp_path / "maps"
    init = run_cli("mapping", "init", "--dir", str(maps), db_url=db_url)
    assert init.exit_code == 0, init.stderr
    check = run_cli("mapping", "check", "--dir", str(maps), db_url=db_url)
    assert check.exit_code == ExitCode.ERROR
    assert "unmapped network: VM Network" in check.stdout and "unmapped datastore: ds1" in check.stdout
    path = maps / "vc.example.com.yaml"
    path.write_text(path.read_text().replace('"VM Network": {bridge: TODO}', '"VM Network": {bridge: vmbr0, vlan: 20}')
                    .replace('"ds1": {storage: TODO}', '"ds1": {storage: local-lvm}'))
    assert run_cli("mapping", "check", "--dir", str(maps), db_url=db_url).exit_code == 0
    shown = run_cli("map", "show", "app-01", "--dir", str(maps), "--format", "json", db_url=db_url)
    config = json.loads(shown.stdout)
    assert config["params"]["net0"].endswith("bridge=vmbr0,tag=20")
    assert config["qm_create"].startswith("qm create VMID --name app-01")
    assert config["conversion"]["convert"] is True and config["conversion"]["guest"] == "linux"
    text = run_cli("map", "show", "app-01", "--dir", str(maps), db_url=db_url).stdout
    assert "# conversion: converted on the node before its first start" in text and "ens192 = " in text
    path.write_text(path.read_text().replace("vms: {}", "vms:\n  app-01: {convert: false}"))
    text = run_cli("map", "show", "app-01", "--dir", str(maps), db_url=db_url).stdout
    assert "# conversion: not converted: `convert: false` for this VM in the mapping file" in text


def test_readiness_before_the_maps_exist_judges_the_vm_and_lists_the_maps_apart(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    files = {name: tmp_path / name for name in ("r.csv", "f.csv", "r.xlsx")}
    result = run_cli("readiness", "--dir", str(tmp_path / "maps"), "--csv", str(files["r.csv"]),
                     "--findings-csv", str(files["f.csv"]), "--xlsx", str(files["r.xlsx"]), db_url=db_url)
    assert result.exit_code == 0, result.stderr
    assert "Not ready" not in result.stdout and all(path.exists() for path in files.values())
    assert "maps: 2 not mapped yet" in result.stdout
    assert "  network VM Network  1 VM: app-01\n" in result.stdout and "  datastore ds1  1 VM: app-01\n" in result.stdout
    (row,) = csv.DictReader(files["r.csv"].read_text(encoding="utf-8-sig").splitlines())
    assert row["unmapped"] == "network VM Network;datastore ds1" and row["verdict"] != "Not ready"
    assert "NET-06" not in files["f.csv"].read_text(encoding="utf-8-sig")
    assert "wrote" in result.stderr and "wrote" not in result.stdout
    assert run_cli("readiness", "--dir", str(tmp_path / "maps"), "--fail-on-blockers", db_url=db_url).exit_code == 0
    as_json = run_cli("readiness", "--dir", str(tmp_path / "maps"), "--format", "json", db_url=db_url)
    (document,) = json.loads(as_json.stdout)
    assert {key: document[key] for key in ("vm", "verdict", "unmapped")} == {
        "vm": "app-01", "verdict": row["verdict"], "unmapped": "network VM Network;datastore ds1"}


def test_readiness_workbook_lists_the_vms_of_the_sources_waves(db_url, tmp_path):
    import openpyxl

    seed(db_url, make_vm("app-01"), make_vm("app-02"), make_vm("db-01"))
    seed(db_url, make_vm("app-09"), source="vc2.example.com")
    assert run_cli("wave", "create", "3", "--name", "Apps", "--pattern", "app-*", db_url=db_url).exit_code == 0
    result = run_cli("readiness", "--source", "vc.example.com", "--dir", str(tmp_path / "maps"), "--xlsx", str(tmp_path / "r.xlsx"), db_url=db_url)
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Waves"]
    rows = [row[:4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == [(3, "Apps", "app-01", "selected"), (3, "Apps", "app-02", "selected")]  # not vc2's app-09


def test_readiness_can_fail_on_blockers(db_url, tmp_path):
    seed(db_url, make_vm("app-01", snapshots=[Snapshot("before patch")]))
    failing = run_cli("readiness", "--dir", str(tmp_path / "maps"), "--fail-on-blockers", db_url=db_url)
    assert failing.exit_code == ExitCode.BLOCKERS and "  Not ready              1\n" in failing.stdout


def test_readiness_into_a_missing_directory_writes_nothing(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    result = run_cli("readiness", "--dir", str(tmp_path), "--csv", str(tmp_path / "no" / "r.csv"), db_url=db_url)
    assert result.exit_code == ExitCode.USAGE
    assert not (tmp_path / "no").exists()


def test_the_installed_command_runs():
    result = subprocess.run([sys.executable, "-m", "migrate", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "migrate, version" in result.stdout


def test_readiness_runs_on_an_rvtools_import_and_says_what_is_unknown(db_url, tmp_path):
    vm = make_vm("from-rvtools", firmware=None, cbt_enabled=None, tools_status=None)
    path = write_rvtools_export(make_inventory(vm, make_vm("vCLS-a1b2"), make_vm("vCLS-c3d4")), tmp_path / "export.xlsx")
    imported = run_cli("discover", "--rvtools", str(path), db_url=db_url)
    assert imported.exit_code == 0
    assert "export.xlsx: 2 vSphere Cluster Services (vCLS) agent VMs not recorded" in imported.stderr
    findings = tmp_path / "findings.csv"
    result = run_cli("readiness", "--dir", str(tmp_path), "--findings-csv", str(findings), db_url=db_url)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(findings.read_text(encoding="utf-8-sig"))))
    assert {row["vm"] for row in rows} == {"from-rvtools"}
    assert any(row["severity"] == "unknown" for row in rows)
    not_assessed = {row["rule_id"]: row["message"] for row in rows if row["severity"] == "unknown"}
    assert not_assessed["DEV-01"].endswith("PCI passthrough devices: not in the RVTools export")
    assert "  facts from RVTools export export.xlsx" in result.stdout
    assert "fully assessed: 0 of 1 VM (0 %)" in result.stdout and "  Unknown                1\n" in result.stdout
    assert "Ready " not in result.stdout and "Not ready" not in result.stdout  # no verdict line with 0 VMs


def test_a_rehearsal_needs_one_way_of_isolating_the_test_vms(db_url):
    for args in ((), ("--bridge", "vmbr99", "--link-down")):
        result = run_cli("test", "--wave", "1", *args, db_url=db_url)
        assert result.exit_code == ExitCode.USAGE and result.stderr == (
            "migrate: error: give one of --bridge BRIDGE (an isolated bridge on the nodes) and --link-down\n")
