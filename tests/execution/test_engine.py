"""The execution engine: steps journaled before and after, resumed after a crash, never done twice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.errors import StepFailedError, TargetAuthError, TargetUnreachableError
from migrate.execution import journal
from migrate.execution.engine import Limits, Retry, WorkItem, run_vm, run_wave
from migrate.execution.locks import VmLocker
from migrate.execution.services import RunOptions
from migrate.inventory.store import save_inventory, start_run
from tests.execution.engine_support import STEP_NAMES, StubServices, tracing_itinerary, tracing_plan, traces
from tests.factories import make_inventory, make_vm

ROOT = Path(__file__).resolve().parents[2]
PLAN = tracing_plan("disk-0", "disk-1")
STUB = StubServices()
FULL_TRACE = ["vm-a preflight", "vm-a create_shell", "vm-a copy_disk disk-0", "vm-a copy_disk disk-1",
              "vm-a attach", "vm-a start"]


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
def migrations(sessions):
    with sessions() as session:
        run = start_run(session, "vc", "vsphere-api")
        save_inventory(session, run.id, make_inventory(*(make_vm(f"vm-{c}") for c in "abcd"), source="vc"))
        session.commit()
        from migrate.db.models import VmRecord

        vms = session.execute(select(VmRecord.id, VmRecord.name).order_by(VmRecord.name)).all()
        return journal.ensure_vm_migrations(session, 1, vms)


def new_run(sessions) -> int:
    with sessions() as session:
        return journal.begin_run(session, 1, {}).id


def test_every_step_runs_once_in_order_and_a_second_run_does_nothing(sessions, migrations, tmp_path):
    trace = tmp_path / "trace"
    vm = migrations[0]
    run_vm(sessions, new_run(sessions), vm.id, PLAN, tracing_itinerary(trace), STUB)
    run_vm(sessions, new_run(sessions), vm.id, PLAN, tracing_itinerary(trace), STUB)
    assert traces(trace) == FULL_TRACE
    with sessions() as session:
        migration = session.get(VmMigration, vm.id)
        assert migration.status == "done"
        assert migration.state == {name: (2 if name == "copy_disk" else 1) for name in STEP_NAMES}


def test_a_step_that_does_not_apply_is_not_run(sessions, migrations, tmp_path):
    trace = tmp_path / "trace"
    run_vm(sessions, new_run(sessions), migrations[0].id, PLAN, tracing_itinerary(trace),
           StubServices(RunOptions(start=False)))
    assert traces(trace) == FULL_TRACE[:-1]


def test_a_failed_step_is_journaled_and_the_resume_starts_there(sessions, migrations, tmp_path):
    trace = tmp_path / "trace"
    vm = migrations[0]
    with pytest.raises(StepFailedError, match="vm-a: step attach failed: vCenter lost"):
        run_vm(sessions, new_run(sessions), vm.id, PLAN, tracing_itinerary(trace, fail_at="attach"), STUB)
    with sessions() as session:
        migration = session.get(VmMigration, vm.id)
        assert (migration.status, migration.current_step) == ("failed", "attach")
        assert migration.state["create_shell"] == 1  # what the finished steps recorded survives
    run_vm(sessions, new_run(sessions), vm.id, PLAN, tracing_itinerary(trace), STUB)
    assert traces(trace) == FULL_TRACE[:4] + ["vm-a attach", "vm-a attach", "vm-a start"]


def run_engine(db_url: str, trace: Path, failpoint: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if failpoint:
        env["MIGRATE_FAILPOINT"] = failpoint
    script = ROOT / "tests" / "execution" / "run_engine.py"
    return subprocess.run([sys.executable, str(script), db_url, str(trace), "vm-a"], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("point", [f"{when}:{name}" for name in STEP_NAMES for when in ("before", "during", "after")])
def test_run_killed_at_any_point_resumes_without_redoing_finished_work(db_url, migrations, tmp_path, point):
    trace = tmp_path / "trace"
    killed = run_engine(db_url, trace, failpoint=point)
    assert killed.returncode == -9, killed.stderr
    resumed = run_engine(db_url, trace)
    assert resumed.returncode == 0, resumed.stderr
    when, step = point.split(":")
    expected = list(FULL_TRACE)
    if when == "during":  # the interrupted step (its first item) runs again; nothing journaled as done does
        first = next(i for i, line in enumerate(FULL_TRACE) if line.split(" ")[1] == step)
        expected.insert(first, FULL_TRACE[first])
    assert traces(trace) == expected
    with Session(db_url) as session:
        rows = session.execute(select(StepRun.step, StepRun.item, StepRun.status)
                               .where(StepRun.vm_migration_id == migrations[0].id)).all()
    assert sum(status == "done" for *_, status in rows) == len(FULL_TRACE)
    unfinished = [(s, i) for s, i, status in rows if status == "started"]
    assert unfinished == ([] if when == "after" else [(step, "disk-0" if step == "copy_disk" else "")])


class Session:
    """A short-lived session on a URL, for reading the journal a subprocess wrote."""

    def __init__(self, url: str) -> None:
        from migrate.db.session import make_engine

        self.engine = make_engine(url)

    def __enter__(self):
        self.session = session_factory(self.engine)()
        return self.session

    def __exit__(self, *exc):
        self.session.close()
        self.engine.dispose()


def test_two_runs_never_hold_the_same_vm(engine, migrations):
    first, second = VmLocker(engine), VmLocker(engine)
    vm = migrations[0].id
    assert first.try_lock(vm)
    assert not second.try_lock(vm)
    assert second.try_lock(migrations[1].id)
    first.release(vm)
    assert second.try_lock(vm)
    second.release_all()


def test_a_lock_held_for_a_block_is_given_back_at_its_end_even_on_an_error(engine, migrations):
    mine, other = VmLocker(engine), VmLocker(engine)
    vm = migrations[0].id
    with pytest.raises(RuntimeError), mine.held(vm) as free:
        assert free and not other.try_lock(vm)
        raise RuntimeError("the block failed")
    with other.held(vm) as free, mine.held(vm) as also:
        assert free and not also  # given back by the failed block; not given twice
    assert mine.try_lock(vm)
    mine.release_all()


def test_a_wave_skips_vms_another_run_is_working_on(sessions, engine, migrations, tmp_path):
    trace = tmp_path / "trace"
    other = VmLocker(engine)
    assert other.try_lock(migrations[0].id)
    work = [WorkItem(m.id, m.vm_name, PLAN, ("node:pve1",)) for m in migrations]
    outcome = run_wave(sessions, VmLocker(engine), new_run(sessions), work, tracing_itinerary(trace), STUB, Limits())
    other.release_all()
    assert outcome.skipped_locked == ["vm-a"]
    assert sorted(outcome.done) == ["vm-b", "vm-c", "vm-d"]
    assert not any(line.startswith("vm-a ") for line in traces(trace))


def test_a_vm_another_run_finished_after_the_work_was_listed_is_reported_and_not_run_again(sessions, engine,
                                                                                         migrations, tmp_path):
    trace = tmp_path / "trace"
    work = [WorkItem(m.id, m.vm_name, PLAN, ("node:pve1",)) for m in migrations]  # listed while all were pending
    run_vm(sessions, new_run(sessions), migrations[0].id, PLAN, tracing_itinerary(trace), STUB)  # the other run
    before = traces(trace)
    outcome = run_wave(sessions, VmLocker(engine), new_run(sessions), work, tracing_itinerary(trace), STUB, Limits())
    assert outcome.done_by_another == ["vm-a"]
    assert sorted(outcome.done) == ["vm-b", "vm-c", "vm-d"]
    assert [line for line in traces(trace)[len(before):] if line.startswith("vm-a ")] == []


def test_two_runs_journaling_a_wave_at_once_share_one_migration_per_vm(sessions, migrations):
    """The second run's insert breaks the unique (wave, vm_id); it takes the first run's rows instead of failing."""
    from sqlalchemy import event

    from migrate.db.models import VmRecord

    with sessions() as session:
        vms = session.execute(select(VmRecord.id, VmRecord.name).order_by(VmRecord.name)).all()
    with sessions() as first, sessions() as second:
        raced = []

        def other_run_journals_in_between(state):
            if raced or not state.is_select:
                return None
            raced.append(True)
            found = state.invoke_statement().freeze()  # what this run saw: no migration of wave 2 yet
            journal.ensure_vm_migrations(second, 2, vms)
            return found()

        event.listen(first, "do_orm_execute", other_run_journals_in_between)
        mine = journal.ensure_vm_migrations(first, 2, vms)
        assert raced
        theirs = journal.ensure_vm_migrations(second, 2, vms)
    assert sorted(m.id for m in mine) == sorted(m.id for m in theirs)
    with sessions() as session:
        assert len(session.scalars(select(VmMigration).where(VmMigration.wave == 2)).all()) == len(vms)


def test_parallelism_is_limited_per_node(sessions, engine, migrations, tmp_path):
    trace = tmp_path / "trace"
    work = [WorkItem(m.id, m.vm_name, PLAN, (f"node:pve{i % 2}",)) for i, m in enumerate(migrations)]
    outcome = run_wave(sessions, VmLocker(engine), new_run(sessions), work, tracing_itinerary(trace, pause=0.02),
                       STUB, Limits(total=4, per_resource=1))
    assert sorted(outcome.done) == ["vm-a", "vm-b", "vm-c", "vm-d"]
    spans = _spans(trace)
    same_node = [("vm-a", "vm-c"), ("vm-b", "vm-d")]
    for one, two in same_node:
        assert spans[one][1] < spans[two][0] or spans[two][1] < spans[one][0], "two VMs of one node overlapped"
    assert any(spans["vm-a"][0] < spans["vm-b"][1] and spans["vm-b"][0] < spans["vm-a"][1] for _ in [0]), \
        "VMs of different nodes should run at the same time"


def _spans(trace: Path) -> dict[str, tuple[float, float]]:
    spans: dict[str, list[float]] = {}
    for line in trace.read_text().splitlines():
        vm, *_, moment = line.split(" ")
        spans.setdefault(vm, []).append(float(moment))
    return {vm: (min(times), max(times)) for vm, times in spans.items()}


def test_a_failing_vm_does_not_stop_the_others(sessions, engine, migrations, tmp_path):
    trace = tmp_path / "trace"
    work = [WorkItem(m.id, m.vm_name, PLAN, ("node:pve1",)) for m in migrations[:2]]
    outcome = run_wave(sessions, VmLocker(engine), new_run(sessions), work,
                       tracing_itinerary(trace, fail_at="attach"), STUB, Limits())
    assert set(outcome.failed) == {"vm-a", "vm-b"}
    assert "vCenter lost" in outcome.failed["vm-a"]


def test_a_step_that_changes_nested_state_in_place_is_journaled(sessions, migrations, tmp_path):
    from migrate.execution.itinerary import Step

    def allocate(ctx):
        ctx.state.volumes["scsi0"] = "tgt:100/vm-100-disk-0.raw"

    def allocate_more(ctx):
        ctx.state.volumes["scsi1"] = "tgt:100/vm-100-disk-1.raw"  # in place, the same dict

    vm = migrations[0]
    run_vm(sessions, new_run(sessions), vm.id, PLAN, [Step("one", allocate), Step("two", allocate_more)], STUB)
    with sessions() as session:
        assert session.get(VmMigration, vm.id).state["volumes"] == {
            "scsi0": "tgt:100/vm-100-disk-0.raw", "scsi1": "tgt:100/vm-100-disk-1.raw"}


def _failing(error: Exception, times: int, calls: list[str]):
    from migrate.execution.itinerary import Step

    def action(ctx):
        calls.append(ctx.item)
        if len(calls) <= times:
            raise error
        return {"attempt": len(calls)}

    return [Step("copy_disk", action, items=lambda ctx: ["scsi0"])]


def test_a_step_that_failed_transiently_is_tried_again_in_the_run_each_attempt_journaled(sessions, migrations):
    calls: list[str] = []
    vm = migrations[0]
    itinerary = _failing(TargetUnreachableError("connection to pve1 dropped"), 2, calls)
    services = StubServices()
    run_vm(sessions, new_run(sessions), vm.id, PLAN, itinerary, services, retry=Retry(attempts=3, backoff=0))
    assert calls == ["scsi0"] * 3
    assert services.rechecks == 2  # its connections checked again before each new attempt
    with sessions() as session:
        rows = session.execute(select(StepRun.status, StepRun.error).order_by(StepRun.id)).all()
        assert session.get(VmMigration, vm.id).status == "done"
    assert rows == [("failed", "connection to pve1 dropped")] * 2 + [("done", None)]


def test_a_transient_failure_past_the_attempts_fails_the_step(sessions, migrations):
    calls: list[str] = []
    itinerary = _failing(TargetUnreachableError("connection to pve1 dropped"), 5, calls)
    with pytest.raises(StepFailedError, match="vm-a: step copy_disk scsi0 failed: connection to pve1 dropped"):
        run_vm(sessions, new_run(sessions), migrations[0].id, PLAN, itinerary, STUB, retry=Retry(attempts=3, backoff=0))
    assert len(calls) == 3


def test_an_auth_error_is_not_tried_again(sessions, migrations):
    calls: list[str] = []
    itinerary = _failing(TargetAuthError("token revoked"), 1, calls)
    with pytest.raises(StepFailedError, match="token revoked"):
        run_vm(sessions, new_run(sessions), migrations[0].id, PLAN, itinerary, STUB, retry=Retry(attempts=3, backoff=0))
    assert len(calls) == 1
