"""`execute_wave` through a flaky Proxmox API (drill 13): dropped requests, lost answers, a hung API.

fakepve drops a request before it handles it; an answer lost after the server acted is made here by a client
that acts and then reports the connection lost. Either way the run ends with one VM per source and every disk
copied once; a hung API is bounded by the client's timeout and fails cleanly.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.proxmox.connection import PveClient
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.errors import TargetUnreachableError
from tests.execution.test_run_wave import assert_migrated, creates, run
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)


def count_copies(monkeypatch) -> Counter:
    """Counts finished copies per target volume path."""
    from migrate.execution.steps import copy_disk as step

    copies: Counter = Counter()
    real = step.copy_disk

    def counting(shell, job, **kwargs):
        outcome = real(shell, job, **kwargs)
        copies[job.target.path] += 1
        return outcome

    monkeypatch.setattr(step, "copy_disk", counting)
    return copies


def posts(served_pve, suffix: str) -> int:
    return sum(1 for method, path, *_ in served_pve.requests if method == "POST" and path.rstrip("/").endswith(suffix))


def step_rows(engine) -> list[tuple[str, str, str | None]]:
    with session_factory(engine)() as session:
        return session.execute(select(StepRun.step, StepRun.status, StepRun.error).order_by(StepRun.id)).all()


def test_a_wave_through_a_network_dropping_requests_completes_with_every_disk_copied_once(bed, engine, estate,
                                                                                          served_pve, monkeypatch):
    _, vms, _ = estate
    copies = count_copies(monkeypatch)
    served_pve.flaky_network(drop_rate=0.3, seed=1)
    served_pve._random.seed(1)  # fakepve seeds only when it starts; the fixture started it already
    try:
        result = run(engine, bed, parallel=1, step_attempts=8)
    finally:
        served_pve.flaky_network()
    assert result.outcome.failed == {}
    assert_migrated(bed, engine, vms)  # one target VM per source by its marker, every disk byte for byte
    assert creates(served_pve) == len(vms)
    disks = sum(len(vm.disks) for vm in vms)
    assert posts(served_pve, "/storage/tgt/content") == disks  # no volume allocated twice
    assert len(copies) == disks and set(copies.values()) == {1}  # no finished disk copied again
    failed = [(step, error) for step, status, error in step_rows(engine) if status == "failed"]
    assert failed and all("cannot connect to Proxmox API" in error for _, error in failed)


def test_answers_lost_after_the_api_acted_never_make_a_second_vm_or_volume(bed, engine, estate, served_pve,
                                                                           monkeypatch):
    _, vms, _ = estate
    copies = count_copies(monkeypatch)
    real_post, lost = PveClient.post, set()

    def lose_first_answer(self, resource, **params):
        answer = real_post(self, resource, **params)
        kind = resource.rsplit("/", 1)[-1]  # qemu (create), content (allocate), config (attach), start
        if kind not in lost:
            lost.add(kind)
            raise TargetUnreachableError(f"the answer to POST {resource} was lost")
        return answer

    monkeypatch.setattr(PveClient, "post", lose_first_answer)
    result = run(engine, bed, parallel=1)
    assert lost == {"qemu", "content", "config", "start"}
    assert result.outcome.failed == {}
    assert_migrated(bed, engine, vms)
    assert creates(served_pve) == len(vms)  # the retried create_shell adopted the VM by its marker
    assert posts(served_pve, "/storage/tgt/content") == sum(len(vm.disks) for vm in vms)
    assert posts(served_pve, "/status/start") == len(vms)  # the retried start saw the VM running
    assert set(copies.values()) == {1}
    failed = sorted(step for step, status, _ in step_rows(engine) if status == "failed")
    assert failed == ["attach", "copy_disk", "create_shell", "start_target"]


def test_a_create_whose_answer_was_lost_is_adopted_before_the_cluster_lists_it(bed, engine, estate, served_pve,
                                                                                monkeypatch):
    _, vms, _ = estate
    real_post, real_get, lost = PveClient.post, PveClient.get, []

    def lose_first_create(self, resource, **params):
        answer = real_post(self, resource, **params)
        if resource.endswith("/qemu") and not lost:
            lost.append(resource)
            raise TargetUnreachableError(f"the answer to POST {resource} was lost")
        return answer

    def lagging_resources(self, resource, **params):
        # PVE's cluster-wide list is refreshed every few seconds: a VM created just now is not in it yet.
        return [] if resource == "/cluster/resources" else real_get(self, resource, **params)

    monkeypatch.setattr(PveClient, "post", lose_first_create)
    monkeypatch.setattr(PveClient, "get", lagging_resources)
    result = run(engine, bed, parallel=1)
    monkeypatch.setattr(PveClient, "get", real_get)
    assert lost and result.outcome.failed == {}
    assert creates(served_pve) == len(vms)
    assert_migrated(bed, engine, vms)


def test_a_start_whose_answer_was_lost_while_its_task_ran_is_not_a_failure(bed, engine, estate, served_pve,
                                                                            monkeypatch):
    _, vms, _ = estate
    real_post, real_status, lost, looked = PveClient.post, pvevm.status, [], []

    def lose_first_start(self, resource, **params):
        answer = real_post(self, resource, **params)
        if resource.endswith("/status/start") and not lost:
            lost.append(resource)
            raise TargetUnreachableError(f"the answer to POST {resource} was lost")
        return answer

    def still_starting(pve, node, vmid):
        if lost and not looked:  # the retry looks before the lost start's task has brought the VM up
            looked.append(vmid)
            return "stopped"
        return real_status(pve, node, vmid)

    monkeypatch.setattr(PveClient, "post", lose_first_start)
    monkeypatch.setattr(pvevm, "status", still_starting)
    result = run(engine, bed, parallel=1)
    assert lost and looked and result.outcome.failed == {}
    assert posts(served_pve, "/status/start") == len(vms) + 1  # the second start's task failed: already running
    assert_migrated(bed, engine, vms)


def test_a_hung_api_is_bounded_by_the_clients_timeout_and_fails_the_step_cleanly(bed, engine, estate, served_pve,
                                                                                monkeypatch):
    _, vms, _ = estate
    real_set_config = pvevm.set_config

    def hang_from_now(pve, node, vmid, **params):
        served_pve.flaky_network(hang_rate=1, hang_secs=3)  # every request from here on gets no answer
        return real_set_config(pve, node, vmid, **params)

    monkeypatch.setattr(pvevm, "set_config", hang_from_now)
    try:
        result = run(engine, {**bed, "pve_timeout": 0.5}, parallel=1, step_attempts=2)
    finally:
        served_pve.flaky_network()
    assert sorted(result.outcome.failed) == sorted(vm.name for vm in vms)
    first = vms[0].name
    message = result.outcome.failed[first]
    assert message.startswith(f"{first}: step attach failed: Proxmox API https://")
    assert "did not answer POST /nodes/pve1/qemu/" in message and "within 0.5 s" in message
    with session_factory(engine)() as session:
        migration = session.scalars(select(VmMigration).where(VmMigration.vm_name == first)).one()
        assert (migration.status, migration.current_step) == ("failed", "attach")
        attach = session.execute(select(StepRun.status).where(StepRun.vm_migration_id == migration.id,
                                                              StepRun.step == "attach")).scalars().all()
    assert attach == ["failed", "failed"]  # tried again once (step_attempts=2), then given up
    assert all(": step preflight failed: " in result.outcome.failed[vm.name] for vm in vms[1:])
