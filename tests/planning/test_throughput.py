"""The copy speed a plan assumes: `--throughput`, else the median measured on the target, else the target's setting,
else the default; the plan says which."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from migrate.db.execution_models import StepRun, StepStatus
from migrate.db.models import VmRecord
from migrate.execution import journal
from migrate.planning.throughput import choose_throughput
from tests.planning.test_plan_cli import _disk, _setup, make_vm
from tests.support.cli import run_cli
from tests.support.pve import GIB

MIB = 1024**2


@pytest.mark.parametrize(("option", "measured", "setting", "expected"), [
    (None, [], None, (100.0, "default", 0)),
    (None, [], 250.0, (250.0, "target", 0)),
    (None, [40.0, 60.0, 500.0], 250.0, (60.0, "measured", 3)),  # measured copies replace the setting
    (80.0, [40.0, 60.0], 250.0, (80.0, "option", 0)),  # the plan's own option wins
])
def test_the_throughput_comes_from_the_first_source_that_has_one(option, measured, setting, expected):
    chosen = choose_throughput(option, measured, setting)
    assert (chosen.mib_s, chosen.source, chosen.measured_copies) == expected


def _plan(db_url, tmp_path, *extra) -> tuple[dict, str]:
    result = run_cli("plan", "--wave", "1", "--mappings", str(tmp_path), "--format", "json", *extra, db_url=db_url)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def _journal_copies(session, rates_and_seconds: list[tuple[float, float]]) -> None:
    """Finished copy_disk rows of a run of wave 1, each moving `rate` MiB/s for `seconds`."""
    vm_id, name = session.execute(select(VmRecord.id, VmRecord.name)).first()
    run = journal.begin_run(session, 1, {})
    (migration,) = journal.ensure_vm_migrations(session, 1, [(vm_id, name)])
    for index, (rate, seconds) in enumerate(rates_and_seconds):
        session.add(StepRun(vm_migration_id=migration.id, run_id=run.id, step="copy_disk", item=f"scsi{index}",
                            status=StepStatus.DONE, detail={"bytes": 40 * GIB, "moved_bytes": int(rate * seconds * MIB),
                                                            "seconds": seconds}))
    session.commit()


def test_a_plan_states_its_throughput_and_where_it_came_from(db_url, session, fakepve, fakepve_cafile, monkeypatch,
                                                             tmp_path):
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, [make_vm("app", disks=_disk("app", 10))])
    assert run_cli("wave", "create", "1", "--vm", "app", db_url=db_url).exit_code == 0

    document, said = _plan(db_url, tmp_path)
    assert "at 100 MiB/s per VM (default)" in said
    assert document["vms"][0]["copy_seconds"] == 103  # 10 GiB at 100 MiB/s

    changed = run_cli("target", "set", "pve-prod", "--throughput-mib-s", "200", db_url=db_url)
    assert changed.exit_code == 0, changed.stderr
    _, said = _plan(db_url, tmp_path)
    assert "the settings given differ from its own: add --replan to apply them" in said  # showing never changes it
    document, said = _plan(db_url, tmp_path, "--replan")
    assert "at 200 MiB/s per VM (the target's setting)" in said
    assert (document["settings"]["throughput_mib_s"], document["settings"]["throughput_source"]) == (200, "target")
    assert document["vms"][0]["copy_seconds"] == 52

    # Runs measured copies on the target: their median replaces the setting (the 0.5 s copy is too short to count).
    _journal_copies(session, [(40.0, 30.0), (64.0, 30.0), (300.0, 30.0), (5000.0, 0.5)])
    document, said = _plan(db_url, tmp_path, "--replan")
    assert "at 64 MiB/s per VM (median of 3 measured copies on this target)" in said
    assert document["settings"]["measured_copies"] == 3 and document["vms"][0]["copy_seconds"] == 160

    document, said = _plan(db_url, tmp_path, "--throughput", "500", "--replan")
    assert "at 500 MiB/s per VM (--throughput)" in said


def test_target_set_refuses_a_missing_value_and_an_unknown_target(db_url, session, fakepve, fakepve_cafile,
                                                                  monkeypatch, tmp_path):
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, [make_vm("app")])
    neither = run_cli("target", "set", "pve-prod", db_url=db_url)
    assert neither.exit_code == 2 and "--throughput-mib-s" in neither.stderr
    zero = run_cli("target", "set", "pve-prod", "--throughput-mib-s", "0", db_url=db_url)
    assert zero.exit_code == 2
    unknown = run_cli("target", "set", "nope", "--throughput-mib-s", "100", db_url=db_url)
    assert unknown.exit_code != 0 and "target nope is not known" in unknown.stderr
    cleared = run_cli("target", "set", "pve-prod", "--clear-throughput", db_url=db_url)
    assert cleared.exit_code == 0 and "the default 100 MiB/s" in cleared.stdout
