"""`execute_wave` when the vCenter's datastore file API misbehaves (drills 5 and 7), over HTTPS through the proxy:
a transfer that stalls with its connection open, and HTTP error statuses, passing or for good."""

from __future__ import annotations

from sqlalchemy import select

from migrate.clients.vsphere import power
from migrate.db.execution_models import StepRun, VmMigration
from migrate.db.session import session_factory
from migrate.execution.rollback import rollback
from tests.execution.test_run_session import https_estate, proxied  # noqa: F401  (fixtures)
from tests.execution.test_run_wave import assert_migrated, run
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.processes import command_lines
from tests.support.vcproxy import Fault

FLAT = "-flat.vmdk"  # only the second VM's disk is monolithicFlat: qemu-img reads that file, the toolkit never
STALL_TIMEOUT = 4.0  # seconds without a progress line; a copy on this machine prints one every few hundred ms


def copy_rows(engine, name: str, step: str = "copy_disk") -> list[tuple[str, str | None, dict]]:
    with session_factory(engine)() as session:
        return [tuple(row) for row in session.execute(
            select(StepRun.status, StepRun.error, StepRun.detail).join(VmMigration)
            .where(VmMigration.vm_name == name, StepRun.step == step).order_by(StepRun.id))]


def migration_of(engine, name: str) -> VmMigration:
    with session_factory(engine)() as session:
        return session.scalars(select(VmMigration).where(VmMigration.vm_name == name)).one()


def writers_of(vmid: int) -> list[str]:
    """Command lines of the processes on the node (this machine) that run qemu-img into one of the VMID's volumes."""
    found = []
    for _, cmdline in command_lines():
        words = cmdline.split(b"\0")
        if words[0].endswith(b"qemu-img") and any(f"vm-{vmid}-migrate-".encode() in w for w in words):
            found.append(b" ".join(words).decode(errors="replace"))
    return found


def test_a_copy_stalled_once_is_stopped_and_copied_again_within_the_run(proxied, engine, https_estate):
    _, vms, _ = https_estate
    bed, proxy = proxied
    stalled = vms[1].name
    fault = Fault(FLAT, stall_after=256 * 1024, times=1, methods=("GET",))  # the first read of its data
    proxy.faults.append(fault)
    result = run(engine, bed, parallel=1, stall_timeout=STALL_TIMEOUT)
    assert result.outcome.failed == {}
    assert fault.hits == 1
    rows = copy_rows(engine, stalled)
    assert [status for status, _, _ in rows] == ["failed", "done"]  # copied twice, done once
    assert "stalled" in rows[0][1] and f"wrote nothing for {STALL_TIMEOUT:g} s" in rows[0][1]
    done = rows[1][2]
    assert done["retried"] is True and done["target_is_zero"] is False  # into the same volume, as a retry
    assert_migrated(bed, engine, vms)


def test_a_copy_stalling_every_time_fails_cleanly_after_the_attempts_leaving_no_writer(proxied, engine,
                                                                                        https_estate):
    _, vms, _ = https_estate
    bed, proxy = proxied
    stalled = vms[1].name
    fault = Fault(FLAT, stall_after=256 * 1024, methods=("GET",))
    proxy.faults.append(fault)
    # Two tries are enough to show it given up after the last; each costs a stall timeout.
    options = options_of(bed, parallel=1, stall_timeout=STALL_TIMEOUT, step_attempts=2)
    result = run(engine, bed, parallel=1, stall_timeout=STALL_TIMEOUT, step_attempts=2)
    assert list(result.outcome.failed) == [stalled]
    assert f"{stalled}: step copy_disk scsi0 failed" in result.outcome.failed[stalled]
    assert "stalled" in result.outcome.failed[stalled]
    assert fault.hits == options.step_attempts
    rows = copy_rows(engine, stalled)
    assert [status for status, _, _ in rows] == ["failed"] * options.step_attempts  # never marked done
    migration = migration_of(engine, stalled)
    assert (migration.status, migration.current_step) == ("failed", "copy_disk")
    assert "volumes" not in migration.state
    assert writers_of(migration.state["target"]["vmid"]) == []  # each stalled qemu-img was stopped
    assert_migrated(bed, engine, [vm for vm in vms if vm.name != stalled], targets=len(vms))


def test_server_errors_are_retried_and_an_error_for_good_fails_only_its_vm_naming_status_and_url(
        proxied, engine, https_estate, capfd, caplog):
    _, vms, _ = https_estate
    bed, proxy = proxied
    broken = vms[2].name
    flaky = [Fault(FLAT, status=503, times=2, methods=("GET",)),  # qemu-img's reads of the second VM's data
             # the toolkit's own read of the first VM's first disk (its VMDK header, before qemu-img)
             Fault(f"{vms[0].name}_0.vmdk", status=503, times=1, methods=("GET",))]
    forever = Fault(f"{broken}_0.vmdk", status=500, methods=("HEAD",))  # qemu-img opening it; the toolkit GETs
    proxy.faults.extend([*flaky, forever])
    options = options_of(bed, parallel=1)
    result = run(engine, bed, parallel=1)

    assert sorted(result.outcome.done) == sorted(vm.name for vm in vms[:2])
    assert [fault.hits for fault in flaky] == [2, 1]
    assert [status for status, _, _ in copy_rows(engine, vms[1].name)] == ["failed", "failed", "done"]
    # The first VM's header read failed once in preflight, which reads every source before it stops anything.
    assert [status for status, _, _ in copy_rows(engine, vms[0].name, "preflight")] == ["failed", "done"]
    assert [status for status, _, _ in copy_rows(engine, vms[0].name)] == ["done", "done"]
    assert all("HTTP 503" in error for rows in (copy_rows(engine, vms[1].name),
                                                 copy_rows(engine, vms[0].name, "preflight"))
               for status, error, _ in rows if status == "failed")
    assert_migrated(bed, engine, vms[:2], targets=2)  # the broken VM was refused before anything was made

    url = f"https://127.0.0.1:{proxy.port}/folder/{broken}/{broken}_0.vmdk?dcPath=DC0&dsName=LocalDS_0"
    message = result.outcome.failed[broken]
    assert message.startswith(f"{broken}: step preflight failed: ")
    assert "HTTP 500" in message and url in message
    rows = copy_rows(engine, broken, "preflight")
    assert [status for status, _, _ in rows] == ["failed"] * options.step_attempts  # a server error: retried
    assert forever.hits == options.step_attempts
    migration = migration_of(engine, broken)
    assert (migration.status, migration.current_step) == ("failed", "preflight")
    # Found while the source still ran: it was never stopped, so it costs no downtime.
    assert migration.state["source_power_state"] == "poweredOn" and "source_stopped" not in migration.state
    assert power.power_state(services_factory(bed)(None, options).vsphere, vms[2].moref) == "poweredOn"

    cookies = {key for key in proxy.folder_sessions if key}
    assert cookies
    with session_factory(engine)() as session:
        journal = [str(row) for row in session.execute(select(StepRun.error, StepRun.detail))]
        journal += [str(row) for row in session.execute(select(VmMigration.error, VmMigration.state))]
    said = capfd.readouterr().err + caplog.text
    assert not any(key in text for key in cookies for text in [message, said, *journal])

    back = rollback(session_factory(engine), services_factory(bed), vm_name=broken)
    assert back.failed == {} and "powered the source on" in back.rolled_back[broken]
    assert power.power_state(services_factory(bed)(None, options).vsphere, vms[2].moref) == "poweredOn"
