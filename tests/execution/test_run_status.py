"""`migrate status` while a wave runs and after it: the disk copying and its bytes so far, the guest agent."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.execution.status import wave_status
from migrate.execution.wave import execute_wave
from tests.execution.test_run_wave import assert_migrated, run
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.cli import run_cli
from tests.support.vmdk import data_offsets


def data_bytes(disks: list[tuple[str, int]]) -> int:
    """The bytes of random data `make_raw` wrote into disks of these sizes: the least a copy must read."""
    return sum(length for _, size in disks for _, length in data_offsets(size))


def test_status_in_another_session_shows_the_disk_copying_and_its_bytes_so_far(bed, engine, db_url, estate):
    _, vms, _ = estate
    sizes = {vm.name: [(f"scsi{unit}", disk.capacity_bytes) for unit, disk in enumerate(vm.disks)] for vm in vms}
    seen, documents = [], []

    def watch(vm_name: str, step: str, fraction: float) -> None:
        if not (step.startswith("copy_disk ") and 0.5 <= fraction < 1):
            return
        with session_factory(engine)() as other:
            row = next(r for r in wave_status(other, 1) if r["vm"] == vm_name)
        seen.append((vm_name, step.split()[1], row))
        if not documents:  # the command line, with an engine of its own, once
            documents.append(json.loads(run_cli("status", "--wave", "1", "--format", "json", db_url=db_url).stdout))

    result = execute_wave(session_factory(engine), 1, options_of(bed, parallel=1), services_factory(bed),
                          progress=watch)
    assert result.outcome.failed == {}
    assert {(vm, disk) for vm, disk, _ in seen} == {(vm, slot) for vm, disks in sizes.items() for slot, _ in disks}
    for vm, disk, row in seen:
        slots = [slot for slot, _ in sizes[vm]]
        before = sum(size for _, size in sizes[vm][:slots.index(disk)])
        assert (row["status"], row["step"], row["disk"]) == ("running", "copy_disk", disk)
        assert row["disks_copied"] == slots.index(disk)
        # Bytes moved: the finished disks' allocated data, plus qemu-img's fraction of the running one's.
        assert data_bytes(sizes[vm][:slots.index(disk)]) <= row["bytes_moved"] < before + dict(sizes[vm])[disk]
        assert row["mib_per_second"] > 0
    copying = [r for r in documents[0] if r["status"] == "running"]
    assert len(copying) == 1 and copying[0]["step"] == "copy_disk" and copying[0]["disk"] == "scsi0"
    assert 0 < copying[0]["bytes_moved"] < sizes[copying[0]["vm"]][0][1]
    assert set(copying[0]) >= {"disk", "bytes_moved", "bytes_planned", "mib_per_second", "started", "agent", "error"}
    with session_factory(engine)() as session:
        finished = {r["vm"]: r for r in wave_status(session, 1)}
    for vm in vms:
        assert finished[vm.name]["disk"] == ""
        # What the copies read: the random data the disks hold (rounded up to the formats' grains), never the
        # disks' virtual size (which is bigger: the test disks are sparse).
        assert data_bytes(sizes[vm.name]) <= finished[vm.name]["bytes_moved"] < sum(size for _, size in sizes[vm.name])
        assert finished[vm.name]["disks_copied"] == len(vm.disks)


def test_start_records_the_agents_ips_and_a_guest_whose_agent_never_answers_is_done_without(bed, engine, estate,
                                                                                           served_pve, monkeypatch):
    _, vms, _ = estate
    real_start = pvevm.start
    with_agent = []

    def start(pve, node, vmid):
        real_start(pve, node, vmid)
        if not with_agent:  # the first VM started has a guest agent; the others have none
            served_pve.vm(vmid).agent = {}
            with_agent.append(vmid)

    monkeypatch.setattr(pvevm, "start", start)
    result = run(engine, bed, parallel=1, agent_timeout=0.2)
    assert result.outcome.failed == {}
    assert_migrated(bed, engine, vms)
    with session_factory(engine)() as session:
        states = {m.vm_name: m.state for m in session.scalars(select(VmMigration))}
        rows = {r["vm"]: r for r in wave_status(session, 1)}
    answered = next(name for name, state in states.items() if state["target"]["vmid"] == with_agent[0])
    assert states[answered]["agent"] is True and states[answered]["target_ips"] == ["192.0.2.10"]
    assert (rows[answered]["agent"], rows[answered]["ips"]) == (True, ["192.0.2.10"])
    silent = sorted(set(states) - {answered})
    assert all(states[name]["agent"] is False and rows[name]["ips"] == [] for name in silent)
    assert all(rows[name]["status"] == "done" and rows[name]["agent"] is False for name in silent)
    assert result.no_agent == silent
    # Measured downtime, source stopped to target started: within the VM's own start and end, from the journal.
    with session_factory(engine)() as session:
        steps = {(m, step): (started, finished) for m, step, started, finished in session.execute(
            select(VmMigration.vm_name, StepRun.step, StepRun.started_at, StepRun.finished_at).join(
                StepRun, StepRun.vm_migration_id == VmMigration.id).where(StepRun.status == "done"))}
    for name, row in rows.items():
        expected = (steps[(name, "start_target")][1] - steps[(name, "stop_source")][1]).total_seconds()
        assert row["downtime_seconds"] == round(expected, 1) and row["downtime_seconds"] > 0
        span = datetime.fromisoformat(row["finished"]) - datetime.fromisoformat(row["started"])
        assert row["downtime_seconds"] <= span.total_seconds() + 1  # the times are shown to the second


def test_status_watch_follows_a_run_from_another_session_until_every_vm_is_done(bed, engine, db_url, estate):
    import threading

    _, vms, _ = estate
    watched: list = []

    def watch() -> None:
        watched.append(run_cli("status", "--wave", "1", "--watch", "--interval", "0.2", "--format", "json",
                               db_url=db_url))

    watcher = threading.Thread(target=watch)

    def start_watching(vm_name: str, step: str, fraction: float) -> None:
        if not watcher.is_alive() and not watched:
            watcher.start()  # once the run is under way

    execute_wave(session_factory(engine), 1, options_of(bed, parallel=1), services_factory(bed),
                 progress=start_watching)
    watcher.join(timeout=60)

    assert not watcher.is_alive() and watched[0].exit_code == 0, watched
    views = [view for view in watched[0].stdout.split("# ")[1:]]
    assert len(views) >= 2
    documents = [json.loads(view.split("\n", 1)[1]) for view in views]
    assert any(row["status"] == "running" and row["duration_seconds"] is not None for row in documents[0])
    assert [row["status"] for row in documents[-1]] == ["done"] * len(vms)
    assert all(row["duration_seconds"] > 0 and row["finished"] for row in documents[-1])
