"""A rollback that failed half-way (its target destroyed, the source not yet powered on): later runs leave the VM
out, naming the fix, until a second rollback finishes it; then `--again` migrates it again."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere import power
from migrate.db.execution_models import VmMigration
from migrate.db.session import session_factory
from migrate.errors import ExitCode, SourceUnreachableError
from migrate.execution.rollback import rollback
from migrate.execution.status import wave_status
from tests.execution.test_run_again import run_again
from tests.execution.test_run_cli import cli  # noqa: F401  (fixture)
from tests.execution.test_run_wave import api, assert_migrated, run
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)


def ours(bed) -> list[dict]:
    return [r for r in api(bed).get("/cluster/resources", type="vm") if pvevm.MARKER_TAG in str(r.get("tags"))]


def vcenter_down_at_power_on(monkeypatch) -> None:
    def unreachable(conn, moref):
        raise SourceUnreachableError("vCenter 127.0.0.1 could not be reached: connection refused; check the network")

    monkeypatch.setattr(power, "power_on", unreachable)


def migration_of(engine, name: str) -> VmMigration:
    with session_factory(engine)() as session:
        return session.scalars(select(VmMigration).where(VmMigration.vm_name == name)).one()


def test_a_vm_whose_rollback_failed_is_left_out_until_rolled_back_again_then_migrated_again(bed, engine, estate,
                                                                                           monkeypatch):
    _, vms, _ = estate
    assert run(engine, bed).outcome.failed == {}
    chosen = vms[0]
    with monkeypatch.context() as patched:
        vcenter_down_at_power_on(patched)
        failed = rollback(session_factory(engine), services_factory(bed), vm_name=chosen.name)
    assert list(failed.failed) == [chosen.name]
    message = failed.failed[chosen.name]
    assert "could not be reached" in message and "(done before it: destroyed target VM" in message
    assert message.endswith("the rollback did not finish; roll back again once the cause is fixed")
    assert len(ours(bed)) == len(vms) - 1  # its target was destroyed before the power-on failed

    left = run(engine, bed)
    assert left.rollback_unfinished == [chosen.name]
    assert left.outcome.done == [] and left.outcome.failed == {} and left.left_out == []
    migration = migration_of(engine, chosen.name)
    assert (migration.status, migration.current_step) == ("failed", "rollback")  # not marked done
    named = run_again(engine, bed, chosen.name)  # --again is for rolled-back VMs: this one is not, yet
    assert named.rollback_unfinished == [chosen.name] and named.outcome.done == []
    with session_factory(engine)() as session:
        row = next(r for r in wave_status(session, 1) if r["vm"] == chosen.name)
    assert row["status"] == "rollback_unfinished"
    assert f"migrate rollback --vm {chosen.name}` again" in row["error"]

    finished = rollback(session_factory(engine), services_factory(bed), vm_name=chosen.name)
    assert finished.failed == {} and "powered the source on" in finished.rolled_back[chosen.name]
    conn = services_factory(bed)(None, options_of(bed)).vsphere
    assert power.power_state(conn, chosen.moref) == "poweredOn"
    assert migration_of(engine, chosen.name).status == "rolled_back"

    again = run_again(engine, bed, chosen.name)
    assert again.outcome.done == [chosen.name] and again.rollback_unfinished == []
    assert_migrated(bed, engine, vms)


@pytest.mark.parametrize("killed", [False, True], ids=["failed", "killed"])
def test_run_and_status_name_a_vm_whose_rollback_did_not_finish_and_the_fix(cli, bed, estate, engine, monkeypatch,
                                                                           killed):
    _, vms, _ = estate
    wave = ("run", "--wave", "1", "--agent-timeout", "0.1", "--datastore-path",
            f"{bed['datastore']}={bed['datastore_dir']}")
    assert cli(*wave).exit_code == 0
    name = vms[1].name
    with monkeypatch.context() as patched:
        if killed:  # interrupted (Ctrl-C) after its journal row began: its row never ends, as after a SIGKILL
            def interrupted(*args, **kwargs):
                raise KeyboardInterrupt
            patched.setattr("migrate.execution.rollback._undo", interrupted)
        else:
            vcenter_down_at_power_on(patched)
        back = cli("rollback", "--vm", name)
    assert back.exit_code == (ExitCode.INTERRUPTED if killed else ExitCode.STEP_FAILED), back.stderr
    migration = migration_of(engine, name)
    assert (migration.status, migration.current_step) == ("running" if killed else "failed", "rollback")

    left = cli(*wave)
    assert left.exit_code == 0, left.stderr
    line = (f"left out 1 VM ({name}) whose rollback did not finish (the target may be gone already): roll it back "
            f"again with `migrate rollback --vm {name}`")
    assert [text for text in left.stderr.splitlines() if "rollback" in text] == [line]
    assert "0 VMs migrated, 0 failed" in left.stderr
    rows = json.loads(cli("status", "--wave", "1", "--format", "json", with_source=False).stdout)
    assert [r["status"] for r in rows if r["vm"] == name] == ["rollback_unfinished"]

    assert cli("rollback", "--vm", name).exit_code == 0
    again = cli(*wave, "--again", name)
    assert again.exit_code == 0, again.stderr
    assert "1 VM migrated, 0 failed" in again.stderr and "rollback" not in again.stderr
