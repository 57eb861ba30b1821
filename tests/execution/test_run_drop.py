"""A dropped SSH connection in the middle of a wave's disk copy."""

from __future__ import annotations

import os
import signal

from sqlalchemy import select

from migrate.db.execution_models import StepRun
from migrate.db.session import session_factory
from tests.execution.test_run_wave import assert_migrated, run
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.processes import sshd_session_running


def test_a_dropped_ssh_connection_mid_copy_is_retried_in_the_run_copying_that_disk_again(bed, engine, estate, sshd,
                                                                                        monkeypatch):
    from migrate.execution.steps import copy_disk as step

    _, vms, _ = estate
    killed: list[int] = []
    real_progress = step._progress

    def drop_once(ctx, fraction):
        if fraction < 1 and not killed:  # at its first progress line, a small copy is still running
            try:
                session = _session_of_a_copy(sshd.process.pid)
            except LookupError:
                return real_progress(ctx, fraction)  # this copy was quicker: drop the next one
            os.kill(session, signal.SIGKILL)  # the node's sshd child for this connection: the link is gone
            killed.append(session)
        real_progress(ctx, fraction)

    monkeypatch.setattr(step, "_progress", drop_once)
    # Copies held to 8 MiB/s (--bwlimit): each of these few-MiB disks is still being copied when its first
    # progress line arrives, so the drop never depends on how busy the machine is.
    assert run(engine, bed, parallel=1, bwlimit_mib_s=8).outcome.failed == {}
    assert killed
    assert_migrated(bed, engine, vms)
    with session_factory(engine)() as session:
        rows = session.execute(select(StepRun.status, StepRun.error, StepRun.detail).where(
            StepRun.step == "copy_disk")).all()
    (error,) = [error for status, error, _ in rows if status == "failed"]
    assert "dropped while qemu-img was running" in error
    assert [status for status, _, _ in rows].count("done") == sum(len(vm.disks) for vm in vms)
    # The attempt after the drop found its volume allocated: copied again without --target-is-zero.
    assert [detail["retried"] for status, _, detail in rows if status == "done"].count(True) == 1


def _session_of_a_copy(listener: int) -> int:
    """The sshd child serving the connection of a running `qemu-img convert`."""
    return sshd_session_running(listener, lambda words: words[:2] == [b"qemu-img", b"convert"])
