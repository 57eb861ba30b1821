"""`migrate run`, `migrate status` and `migrate rollback` on the wave test bed: exit codes, stdout, stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from migrate.db.execution_models import MigrationRun
from migrate.db.session import session_factory
from migrate.errors import ExitCode
from tests.execution.wave_bed import SECRET
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.cli import run_cli


@pytest.fixture
def cli(bed, estate, sshd, monkeypatch, db_url):
    sim = estate[0]
    env = {"MIGRATE_PVE_TOKEN_SECRET": SECRET, "MIGRATE_VCENTER_PASSWORD": sim.password}
    source = ("--vcenter", f"{sim.host}:{sim.port}", "--user", sim.username, "--ca-file", str(sim.ca_file),
              "--node-address", f"pve1={sshd.host}:{sshd.port}")

    def cli(*args, with_source=True):
        return run_cli(*args, *(source if with_source else ()), db_url=db_url, env=env)
    return cli


def test_run_then_status_then_rollback_from_the_command_line(cli, bed, estate, engine):
    _, vms, _ = estate
    names = sorted(vm.name for vm in vms)
    dry = cli("run", "--wave", "1", "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.stderr
    assert sorted(item["vm"] for item in json.loads(dry.stdout)) == names

    done = cli("run", "--wave", "1", "--verify", "--stall-timeout", "300", "--attempts", "2",
               "--datastore-path", f"{bed['datastore']}={bed['datastore_dir']}", "--no-start")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""
    assert "3 VMs migrated, 0 failed" in done.stderr
    with session_factory(engine)() as session:
        journaled = session.scalars(select(MigrationRun.options)).one()
    assert (journaled["stall_timeout"], journaled["attempts"], journaled["verify"]) == (300, 2, True)

    status = cli("status", "--wave", "1", "--format", "json", with_source=False)
    assert status.exit_code == 0, status.stderr
    rows = json.loads(status.stdout)
    assert [r["vm"] for r in rows] == names
    assert all(r["status"] == "done" and r["disks_copied"] == len(vm.disks) and 0 < r["bytes_moved"] <
               sum(d.capacity_bytes for d in vm.disks) for r, vm in zip(rows, sorted(vms, key=lambda v: v.name)))
    assert all(r["bytes_planned"] == sum(d.capacity_bytes for d in vm.disks) and r["bytes_estimated"]
               for r, vm in zip(rows, sorted(vms, key=lambda v: v.name)))  # no used size known: provisioned
    assert SECRET not in status.stdout

    back = cli("rollback", "--wave", "1")
    assert back.exit_code == 0, back.stderr
    assert all(f"{name}: destroyed target VM" in back.stdout for name in names)
    assert "powered the source on" in back.stdout


def test_run_of_an_unknown_wave_is_one_line_naming_the_fix(cli):
    result = cli("run", "--wave", "7")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.strip().count("\n") == 0 and "migrate wave create 7" in result.stderr
    assert "Traceback" not in result.stderr


def test_rollback_needs_a_wave_or_a_vm(cli):
    result = cli("rollback")
    assert result.exit_code == ExitCode.USAGE and "--wave N" in result.stderr


def test_run_warns_of_guests_without_agent_and_names_the_flag_for_a_rolled_back_vm(cli, bed, estate):
    _, vms, _ = estate
    names = sorted(vm.name for vm in vms)
    wave = ("run", "--wave", "1", "--agent-timeout", "0.1",
            "--datastore-path", f"{bed['datastore']}={bed['datastore_dir']}")
    done = cli(*wave)
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""
    assert f"warning: the guest agent of 3 VMs ({', '.join(names)}) did not answer within 0.1 s" in done.stderr
    rows = json.loads(cli("status", "--wave", "1", "--format", "json", with_source=False).stdout)
    assert [(r["status"], r["agent"], r["ips"], r["disk"]) for r in rows] == [("done", False, [], "")] * 3
    table = cli("status", "--wave", "1", with_source=False).stdout.splitlines()
    assert "agent" in table[0].split() and all("no answer" in line for line in table[1:])

    assert cli("rollback", "--vm", names[0]).exit_code == 0
    left = cli(*wave)
    assert left.exit_code == 0, left.stderr
    assert f"left out 1 rolled-back VM ({names[0]}): migrate it again with --again {names[0]}" in left.stderr
    assert "0 VMs migrated" in left.stderr
    again = cli(*wave, "--again", names[0])
    assert again.exit_code == 0, again.stderr
    assert "1 VM migrated, 0 failed" in again.stderr and "left out" not in again.stderr
    assert f"the guest agent of 1 VM ({names[0]}) did not answer" in again.stderr


def test_run_again_of_a_vm_not_in_the_wave_is_a_usage_error_naming_the_fix(cli):
    result = cli("run", "--wave", "1", "--again", "no-such-vm")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip().count("\n") == 0
    assert "no-such-vm not in wave 1: check the names with `migrate status --wave 1`" in result.stderr


def test_a_clone_of_a_migrated_vm_is_named_on_stderr_by_rollback_and_run_again(cli, bed, estate, engine):
    from migrate.clients.proxmox import vm as pvevm
    from tests.execution.test_run_clone_drill import _clone, _target_of
    from tests.execution.test_run_wave import api

    _, vms, _ = estate
    paths = ("--datastore-path", f"{bed['datastore']}={bed['datastore_dir']}", "--no-start")
    assert cli("run", "--wave", "1", *paths).exit_code == 0
    chosen = vms[0].name
    node, vmid = _target_of(engine, chosen)
    clone = _clone(api(bed), node, vmid)
    looks = "carries the toolkit's marker but is not its VM (a clone or a restored backup)"

    back = cli("rollback", "--vm", chosen)
    assert back.exit_code == 0, back.stderr
    assert f"{chosen}: destroyed target VM {vmid} on {node}" in back.stdout
    assert f"warning: {chosen}: left alone: VM 900 ('web-prd-01-testcopy') on node {node} {looks}" in back.stderr
    again = cli("run", "--wave", "1", "--again", chosen, *paths)
    assert again.exit_code == 0, again.stderr
    assert f"warning: {chosen}: VM 900 ('web-prd-01-testcopy') on node {node} {looks}" in again.stderr
    assert pvevm.vm_config(api(bed), node, 900) == clone


def test_a_recorded_source_runs_and_rolls_back_without_vcenter_flags(bed, estate, sshd, db_url, engine):
    sim, vms, _ = estate
    env = {"MIGRATE_PVE_TOKEN_SECRET": SECRET, "MIGRATE_VCENTER_PASSWORD": sim.password}
    recorded = run_cli("source", "set", "vc.example.com", "--vcenter", f"{sim.host}:{sim.port}", "--user",
                       sim.username, "--ca-file", str(sim.ca_file), db_url=db_url)
    assert recorded.exit_code == 0, recorded.stderr
    node = ("--node-address", f"pve1={sshd.host}:{sshd.port}")

    datastore = ("--datastore-path", f"{bed['datastore']}={bed['datastore_dir']}")
    done = run_cli("run", "--wave", "1", "--no-start", *node, *datastore, db_url=db_url, env=env)
    back = run_cli("rollback", "--wave", "1", *node, db_url=db_url, env=env)

    assert done.exit_code == 0 and f"{len(vms)} VMs migrated, 0 failed" in done.stderr, done.stderr
    assert back.exit_code == 0 and "powered the source on" in back.stdout, back.stderr


def test_a_wave_that_does_not_exist_is_named_before_missing_credentials(bed, db_url):
    run = run_cli("run", "--wave", "9", db_url=db_url, env={})
    back = run_cli("rollback", "--wave", "9", db_url=db_url, env={})
    assert run.exit_code == ExitCode.ERROR and "wave 9 does not exist" in run.stderr, run.stderr
    assert back.exit_code == ExitCode.ERROR, back.stderr
    assert back.stderr == ("migrate: error: wave 9 has no migration in the journal: `migrate status` lists the waves "
                           "that ran\n")
    logs = [*Path.cwd().glob("migrate-wave-*.log"), *Path(db_url.removeprefix("sqlite:///")).parent.glob("*.log")]
    assert logs == []  # a run refused before it starts leaves no log file behind
