"""`migrate finalize` on the lab's simulated cluster: HA for the migrated VMs on shared storage only, DRS rules as HA
rules, backup job membership, nothing of anyone else's touched, and a second finalize changes nothing."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lab.pve import start_simulated_target
from migrate.db.execution_models import FinalizeChange, VmMigration
from tests.finalize.bed import FOREIGN_VMID, build
from tests.support.cli import run_cli


@pytest.fixture
def lab(tmp_path):
    with start_simulated_target(tmp_path) as target:
        yield target


def finalize(lab, db_url, *args):
    return run_cli("finalize", "--wave", "1", *args, db_url=db_url, env={"MIGRATE_PVE_TOKEN_SECRET": lab.secret})


def rows(result) -> list[list[str]]:
    lines = result.stdout.splitlines()
    return [line.split(None, 4) for line in lines[1:] if line.strip()]


def test_a_dry_run_plans_ha_for_the_vms_on_shared_storage_and_changes_nothing(lab, db_url, session):
    build(session, lab)
    before = copy.deepcopy((lab.simulator.ha_resources, lab.simulator.ha_rules, lab.simulator.backup_jobs))
    result = finalize(lab, db_url, "--dry-run")
    assert result.exit_code == 0, result.stderr
    planned = {(row[1], row[3]) for row in rows(result) if row[0] == "planned"}
    assert planned == {("ha_resource", "vm:1001"), ("ha_resource", "vm:1002"), ("ha_rule", "drs-prod-sql-apart")}
    local = [line for line in result.stdout.splitlines() if "vm:1003" in line]
    assert len(local) == 1 and local[0].startswith("left alone") and "local-lvm:vm-1003-disk-0" in local[0] \
        and "not shared" in local[0]
    assert "is in no enabled backup job" in result.stdout and "3 changes planned" in result.stderr
    assert (lab.simulator.ha_resources, lab.simulator.ha_rules, lab.simulator.backup_jobs) == before
    assert session.scalar(select(func.count()).select_from(FinalizeChange)) == 0


def test_finalize_protects_the_migrated_vms_and_a_second_run_changes_nothing(lab, db_url, session):
    build(session, lab)
    foreign = copy.deepcopy(lab.simulator.ha_resources[f"vm:{FOREIGN_VMID}"])
    first = finalize(lab, db_url, "--backup-job", "daily")
    assert first.exit_code == 0, first.stderr
    sim = lab.simulator
    assert sorted(sim.ha_resources) == ["vm:1001", "vm:1002", f"vm:{FOREIGN_VMID}"]
    assert all(sim.ha_resources[sid]["state"] == "started" and sim.ha_resources[sid]["max_restart"] == 1
               and sim.ha_resources[sid]["max_relocate"] == 1 for sid in ("vm:1001", "vm:1002"))
    assert sim.ha_resources[f"vm:{FOREIGN_VMID}"] == foreign  # the customer's resource, untouched
    rule = sim.ha_rules["drs-prod-sql-apart"]
    assert (rule["type"], rule["affinity"], rule["resources"]) == ("resource-affinity", "negative", "vm:1001,vm:1002")
    # Every migrated VM is backed up, the local one too; the customer's VM stays first in its job.
    assert sim.backup_jobs["daily"]["vmid"] == f"{FOREIGN_VMID},1001,1002,1003"
    assert "web on gold hosts (its VMs should run on its host group) is not carried over" in first.stdout
    assert "app-09" in first.stdout and "not migrated (failed)" in first.stdout
    journaled = session.scalars(select(FinalizeChange).order_by(FinalizeChange.id)).all()
    assert [(c.kind, c.object_id, c.status) for c in journaled] == [
        ("ha_resource", "vm:1001", "done"), ("ha_resource", "vm:1002", "done"),
        ("ha_rule", "drs-prod-sql-apart", "done"), ("backup_job", "daily", "done")]
    assert journaled[3].vms == ["sql-01", "sql-02", "web-01"]

    state = copy.deepcopy((sim.ha_resources, sim.ha_rules, sim.backup_jobs))
    second = finalize(lab, db_url, "--backup-job", "daily")
    assert second.exit_code == 0, second.stderr
    assert not [row for row in rows(second) if row[0] != "left"]
    assert "0 changes made" in second.stderr and "nothing to change" in second.stderr
    assert (sim.ha_resources, sim.ha_rules, sim.backup_jobs) == state
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(FinalizeChange)) == 4


def test_a_vm_at_a_migrated_vmid_that_the_toolkit_did_not_make_is_left_alone(lab, db_url, session):
    bed = build(session, lab)
    vm = next(v for v in lab.simulator.vms if v.vmid == bed.vmids["sql-02"])
    vm.config.pop("description")  # replaced by someone else's VM at the same VMID
    result = finalize(lab, db_url, "--backup-job", "daily")
    assert result.exit_code == 0, result.stderr
    assert "vm:1002" not in lab.simulator.ha_resources and "vm:1001" in lab.simulator.ha_resources
    assert "1002" not in lab.simulator.backup_jobs["daily"]["vmid"].split(",")
    assert "not proven the toolkit's" in result.stdout
    # sql-apart has one HA resource of the toolkit left: no rule of one VM.
    assert lab.simulator.ha_rules == {} and "SQL apart waits" in result.stdout


def test_an_unknown_backup_job_is_named_with_the_jobs_there_are(lab, db_url, session):
    build(session, lab)
    result = finalize(lab, db_url, "--backup-job", "weekly")
    assert result.exit_code == 1 and result.stdout == ""
    assert "backup job weekly does not exist on the target: give one of daily" in result.stderr
    assert "Traceback" not in result.stderr and lab.secret not in result.stderr


def test_finalize_of_a_vm_not_in_the_wave_names_the_fix(lab, db_url, session):
    build(session, lab)
    result = finalize(lab, db_url, "--vm", "nope")
    assert result.exit_code == 2 and "VM nope has no migration in wave 1" in result.stderr


def test_a_finalize_that_failed_midway_is_finished_by_the_next_one(lab, db_url, session):
    build(session, lab)
    lab.simulator.fail("POST", "/cluster/ha/rules", 500, "cfs lock 'domain-ha' timed out", times=1)
    first = finalize(lab, db_url, "--backup-job", "daily")
    assert first.exit_code == 4 and "1 change of wave 1's finalize failed" in first.stderr
    assert "vm:1001" in lab.simulator.ha_resources and lab.simulator.ha_rules == {}
    assert lab.simulator.backup_jobs["daily"]["vmid"] == f"{FOREIGN_VMID},1001,1002,1003"  # the others went on
    second = finalize(lab, db_url, "--backup-job", "daily")
    assert second.exit_code == 0, second.stderr
    assert [row[:4] for row in rows(second) if row[0] == "done"] == [
        ["done", "ha_rule", "create", "drs-prod-sql-apart"]]
    statuses = session.scalars(select(FinalizeChange.status).where(FinalizeChange.kind == "ha_rule")
                               .order_by(FinalizeChange.id)).all()
    assert statuses == ["failed", "done"]


def test_a_finalized_vm_can_still_be_rolled_back_out_of_ha_and_its_backup_job(lab, db_url, session):
    from migrate.clients.proxmox import PveEndpoint, connect
    from migrate.clients.proxmox.vm import Ownership, destroy_ours

    build(session, lab)
    assert finalize(lab, db_url, "--backup-job", "daily").exit_code == 0
    migration_id = session.scalar(select(VmMigration.id).where(VmMigration.vm_name == "sql-01"))
    pve = connect(PveEndpoint(lab.host, lab.token_id, lab.secret, lab.port, str(lab.ca_file)))
    assert destroy_ours(pve, Ownership("key-sql-01", 1001, migration_id)) is not None
    assert "vm:1001" not in lab.simulator.ha_resources
    assert lab.simulator.ha_rules["drs-prod-sql-apart"]["resources"] == "vm:1002"
    assert lab.simulator.backup_jobs["daily"]["vmid"] == f"{FOREIGN_VMID},1002,1003"


def test_first_backups_write_an_archive_per_vm_once(lab, db_url, session):
    build(session, lab)
    first = finalize(lab, db_url, "--backup-job", "daily", "--first-backup")
    assert first.exit_code == 0, first.stderr
    archives = lab.simulator.backup_archives
    assert sorted(a["vmid"] for a in archives) == [1001, 1002, 1003]  # not the customer's VM 900
    assert all(Path(a["path"]).is_file() for a in archives)
    done = session.scalars(select(FinalizeChange).where(FinalizeChange.kind == "first_backup")
                           .order_by(FinalizeChange.id)).all()
    assert [(c.object_id, c.status, c.params["storage"], c.detail["archive"]) for c in done] == [
        (f"vzdump:{a['vmid']}", "done", "local", a["volid"]) for a in archives]
    assert all(c.detail["task"].startswith("UPID:") for c in done)
    second = finalize(lab, db_url, "--backup-job", "daily", "--first-backup")
    assert second.exit_code == 0 and len(lab.simulator.backup_archives) == 3
    assert second.stdout.count("backed up already: local:backup/vzdump-qemu-") == 3


def test_a_vm_no_job_covers_gets_no_first_backup_and_is_said(lab, db_url, session):
    build(session, lab)
    result = finalize(lab, db_url, "--first-backup")
    assert result.exit_code == 0 and lab.simulator.backup_archives == []
    assert result.stdout.count("no first backup; give --backup-job ID") == 3


@pytest.mark.parametrize("lacking, args, named", [
    ("Sys.Console", ("--backup-job", "daily"), "Sys.Console on /"),
    ("Sys.Modify", ("--backup-job", "daily"), "Sys.Modify on /"),
    ("VM.Backup", ("--backup-job", "daily", "--first-backup"), "VM.Backup on /vms/1001"),
])
def test_a_token_without_the_finalize_role_is_refused_before_any_change(lab, db_url, session, lacking, args, named):
    from migrate.target.privileges import FINALIZE_PRIVILEGES, REQUIRED_PRIVILEGES

    build(session, lab)
    before = copy.deepcopy((lab.simulator.ha_resources, lab.simulator.backup_jobs))
    for holder in (lab.token_id.split("!")[0], lab.token_id):
        lab.simulator.grant(holder, "/", *[p for p in REQUIRED_PRIVILEGES + FINALIZE_PRIVILEGES if p != lacking])
    result = finalize(lab, db_url, *args)
    assert result.exit_code == 4 and f"the API token lacks {named}" in result.stderr
    assert "MigrateFinalize role of docs/proxmox-role.md" in result.stderr
    assert (lab.simulator.ha_resources, lab.simulator.backup_jobs) == before
    assert session.scalar(select(func.count()).select_from(FinalizeChange)) == 0


def test_a_token_with_both_roles_finalizes(lab, db_url, session):
    from migrate.target.privileges import FINALIZE_PRIVILEGES, REQUIRED_PRIVILEGES

    build(session, lab)
    for holder in (lab.token_id.split("!")[0], lab.token_id):
        lab.simulator.grant(holder, "/", *REQUIRED_PRIVILEGES, *FINALIZE_PRIVILEGES)
    result = finalize(lab, db_url, "--backup-job", "daily", "--first-backup")
    assert result.exit_code == 0, result.stderr
    assert len(lab.simulator.backup_archives) == 3 and "vm:1001" in lab.simulator.ha_resources


def test_the_evidence_workbook_states_each_vms_migration_ha_and_backups_and_the_journal(lab, db_url, session,
                                                                                        tmp_path):
    from openpyxl import load_workbook

    from migrate.db.execution_models import MigrationRun, StepRun

    build(session, lab)
    run = MigrationRun(wave=1, worker="jump-host:4242", status="succeeded", options={"verify": True})
    session.add(run)
    session.flush()
    sql01 = session.scalar(select(VmMigration.id).where(VmMigration.vm_name == "sql-01"))
    session.add(StepRun(vm_migration_id=sql01, run_id=run.id, step="verify", item="", status="done",
                        detail={"disks": {"scsi0": {"size": 8, "compared": True}, "scsi1": {"size": 8, "compared": False}}}))
    session.commit()
    path = tmp_path / "wave-1-evidence.xlsx"
    result = finalize(lab, db_url, "--backup-job", "daily", "--first-backup", "--evidence", str(path))
    assert result.exit_code == 0, result.stderr
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["VMs", "Journal", "Sign-off"]
    header, *rows = [list(r) for r in workbook["VMs"].iter_rows(values_only=True)]
    vms = {row[0]: dict(zip(header, row)) for row in rows}
    assert sorted(vms) == ["app-09", "sql-01", "sql-02", "web-01"]
    assert vms["sql-01"]["HA resource"] == "vm:1001 started, max_restart 1, max_relocate 1"
    assert vms["sql-01"]["HA rules"] == "drs-prod-sql-apart" and vms["sql-01"]["Backup jobs"] == "daily"
    assert vms["web-01"]["HA resource"] == "none"  # local storage
    archive = next(a["volid"] for a in lab.simulator.backup_archives if a["vmid"] == 1003)
    assert vms["web-01"]["Newest backup"] == archive and vms["web-01"]["First backup (finalize)"].startswith(archive)
    assert vms["app-09"]["Migration"] == "failed" and vms["app-09"]["HA resource"] is None
    journal = [dict(zip(["started", "finished", "run", "who", "vm", "action", "item", "status"], row))
               for row in list(workbook["Journal"].iter_rows(values_only=True))[1:]]
    assert ("ha_resource create", "vm:1001", "done") in {(j["action"], j["item"], j["status"]) for j in journal}
    assert all(j["who"] and ":" in j["who"] for j in journal)
    assert {"jump-host:4242"} < {j["who"] for j in journal}
    assert vms["sql-01"]["Disks checked (how)"] == ("scsi0: qemu-img compare with the source: identical; "
                                                    "scsi1: size checked")
    labels = [row[0] for row in workbook["Sign-off"].iter_rows(values_only=True) if row and row[0]]
    assert "Accepted by (name, role)" in labels and "Signature" in labels


def test_evidence_into_an_unwritable_directory_is_one_line_and_changes_nothing(lab, db_url, session, tmp_path):
    build(session, lab)
    result = finalize(lab, db_url, "--backup-job", "daily", "--evidence", str(tmp_path / "nope" / "e.xlsx"))
    assert result.exit_code == 2 and "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert "vm:1001" not in lab.simulator.ha_resources


def test_on_proxmox_ve_8_finalize_makes_ha_resources_and_reports_the_rules(lab, db_url, session):
    build(session, lab)
    lab.simulator.version = "8.4.1"
    result = finalize(lab, db_url)
    assert result.exit_code == 0, result.stderr
    assert "vm:1001" in lab.simulator.ha_resources and lab.simulator.ha_rules == {}
    assert "SQL apart is not carried over: HA rules need Proxmox VE 9" in result.stdout


def finalize_process(lab, db_url, failpoint, *args) -> subprocess.CompletedProcess:
    """`migrate finalize` in a process of its own, killed at `failpoint` (migrate/failpoints.py)."""
    env = {**os.environ, "MIGRATE_PVE_TOKEN_SECRET": lab.secret, "MIGRATE_FAILPOINT": failpoint,
           "PYTHONPATH": str(Path(__file__).parents[2])}
    return subprocess.run([sys.executable, "-m", "migrate", "--db", db_url, "finalize", "--wave", "1", *args],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("point", ["mid:finalize_ha_resource", "mid:finalize_ha_rule", "mid:finalize_backup_job",
                                   "mid:finalize_first_backup", "before:finalize_ha_rule"])
def test_a_finalize_killed_mid_change_is_finished_by_the_next_one_as_if_never_killed(lab, db_url, session, point):
    build(session, lab)
    sim = lab.simulator
    args = ("--backup-job", "daily", "--first-backup")
    killed = finalize_process(lab, db_url, point, *args)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    kind = point.partition(":finalize_")[2]
    session.expire_all()
    started = session.scalars(select(FinalizeChange).where(FinalizeChange.status == "started")).all()
    assert [c.kind for c in started] == [kind]  # made on the target, the journal does not know it yet

    resumed = finalize(lab, db_url, *args)
    assert resumed.exit_code == 0, resumed.stderr
    # What an uninterrupted finalize leaves (test_finalize_protects_the_migrated_vms_...): each object once.
    assert sorted(sim.ha_resources) == ["vm:1001", "vm:1002", f"vm:{FOREIGN_VMID}"]
    assert all((sim.ha_resources[sid]["state"], sim.ha_resources[sid]["max_restart"],
                sim.ha_resources[sid]["max_relocate"]) == ("started", 1, 1) for sid in ("vm:1001", "vm:1002"))
    assert list(sim.ha_rules) == ["drs-prod-sql-apart"] and sim.ha_rules["drs-prod-sql-apart"]["resources"] == \
        "vm:1001,vm:1002"
    assert sim.backup_jobs["daily"]["vmid"] == f"{FOREIGN_VMID},1001,1002,1003"
    assert sorted(a["vmid"] for a in sim.backup_archives) == [1001, 1002, 1003]
    again = finalize(lab, db_url, *args)
    assert again.exit_code == 0 and "nothing to change" in again.stderr
    # The journal says it too: a change the kill cut off after it was sent is found made on the target; one cut
    # off before is said cut short and made by the next finalize. None is left started.
    session.expire_all()
    cut = session.get(FinalizeChange, started[0].id)
    if point.startswith("mid:"):
        assert cut.status == "done" and cut.detail["settled"] == "found made on the target by a later finalize"
    else:
        assert cut.status == "failed" and cut.error.startswith("cut short")
        assert session.scalars(select(FinalizeChange.status).where(FinalizeChange.object_id == cut.object_id,
                                                                   FinalizeChange.id > cut.id)).all() == ["done"]
    assert session.scalar(select(func.count()).select_from(FinalizeChange).where(
        FinalizeChange.status == "started")) == 0


def test_a_backup_job_is_created_from_a_template_and_backs_up_the_migrated_vms(lab, db_url, session, tmp_path):
    build(session, lab)
    lab.simulator.backup_jobs.clear()  # the customer has no backup job yet
    template = tmp_path / "backup-job.yaml"
    template.write_text('schedule: "mon..fri 21:00"\nstorage: local\nretention: {keep-daily: 7, keep-weekly: 4}\n')
    args = ("--backup-job", "migrated", "--backup-job-template", str(template), "--first-backup")
    planned = finalize(lab, db_url, *args, "--dry-run")
    assert planned.exit_code == 0 and lab.simulator.backup_jobs == {}
    assert [row[:4] for row in rows(planned) if row[1] == "backup_job"] == [
        ["planned", "backup_job", "create", "migrated"]]
    first = finalize(lab, db_url, *args)
    assert first.exit_code == 0, first.stderr
    job = lab.simulator.backup_jobs["migrated"]
    assert (job["schedule"], job["storage"], job["mode"], job["prune-backups"], job["vmid"]) == (
        "mon..fri 21:00", "local", "snapshot", "keep-daily=7,keep-weekly=4", "1001,1002,1003")
    assert sorted(a["vmid"] for a in lab.simulator.backup_archives) == [1001, 1002, 1003]
    second = finalize(lab, db_url, *args)
    assert second.exit_code == 0 and "nothing to change" in second.stderr
    assert "backup job migrated exists: its settings are kept" in second.stdout


def test_a_template_without_a_job_id_or_with_a_typo_is_one_line(lab, db_url, session, tmp_path):
    build(session, lab)
    template = tmp_path / "backup-job.yaml"
    template.write_text("schedule: 21:00\nstorage: local\nkeep-daily: 7\n")
    alone = finalize(lab, db_url, "--backup-job-template", str(template))
    assert alone.exit_code == 2 and "--backup-job-template needs --backup-job ID" in alone.stderr
    typo = finalize(lab, db_url, "--backup-job", "migrated", "--backup-job-template", str(template))
    assert typo.exit_code == 2 and "unknown key keep-daily" in typo.stderr and "Traceback" not in typo.stderr
    assert "migrated" not in lab.simulator.backup_jobs
