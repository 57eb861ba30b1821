"""What `migrate status` estimates of a synced VM: the bytes behind from the rate of change between its last two
passes, and the cutover downtime from the plan's model with the final pass as its copy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from migrate.db.execution_models import SyncPass
from migrate.execution.sync_status import bytes_behind, copy_rate, sync_columns, with_downtime
from migrate.planning.model import PlannedVm

T0 = datetime(2026, 12, 5, 20, 0, tzinfo=timezone.utc)
MIB = 2**20


def done(number: int, start_minute: float, seconds: float, read: int, whole: bool = False,
         final: bool = False) -> SyncPass:
    start = T0 + timedelta(minutes=start_minute)
    return SyncPass(number=number, state="done", final=final, started_at=start,
                    finished_at=start + timedelta(seconds=seconds), bytes_read=read,
                    disks={"scsi0": {"whole": whole, "bytes_read": read}})


def planned(shutdown: int = 300, create: int = 60, boot: int = 120) -> PlannedVm:
    return PlannedVm(vm_id=1, vm_key="k", vm_name="db-01", proxmox_name="db-01", node="pve1", vmid=100,
                     memory_mib=512, vcpus=1, verdict="ready", config={}, disks=(), nics=(), transfer_bytes=0,
                     copy_seconds=0, downtime_seconds=0, shutdown_seconds=shutdown, create_seconds=create,
                     boot_seconds=boot)


def test_the_bytes_behind_follow_the_rate_the_source_changed_between_the_last_two_passes():
    passes = [done(1, 0, 600, 4096 * MIB, whole=True), done(2, 60, 5, 60 * MIB)]  # 60 MiB in the hour between
    assert bytes_behind(passes, T0 + timedelta(minutes=90)) == 30 * MIB  # half an hour since pass 2's snapshot


def test_the_bytes_behind_are_unknown_after_one_pass_or_a_whole_copy_and_none_after_the_final_pass():
    first = done(1, 0, 600, 4096 * MIB, whole=True)
    later = T0 + timedelta(hours=3)
    assert bytes_behind([first], later) is None
    assert bytes_behind([first, done(2, 60, 600, 4096 * MIB, whole=True)], later) is None
    assert bytes_behind([first, done(2, 60, 5, MIB), done(3, 70, 1, MIB, final=True)], later) == 0


def test_the_cutover_downtime_is_the_plans_model_with_the_bytes_behind_as_its_copy():
    passes = [done(1, 0, 600, 4096 * MIB, whole=True), done(2, 60, 4, 40 * MIB)]  # copied at 10 MiB/s
    assert copy_rate(passes) == 10 * MIB
    columns = {"sync_pass": "2", "sync_bytes_behind": 50 * MIB, "_rate": copy_rate(passes)}
    assert with_downtime(columns, planned())["cutover_downtime_seconds"] == 300 + 5 + 60 + 120
    assert with_downtime({**columns, "sync_bytes_behind": None}, planned())["cutover_downtime_seconds"] is None
    assert with_downtime({**columns, "sync_bytes_behind": 0}, planned(30, 10, 20))["cutover_downtime_seconds"] == 60
    assert "_rate" not in with_downtime(columns, planned())


def test_a_vm_without_a_done_pass_has_no_sync_columns(session):
    assert sync_columns(session, [1, 2], T0) == {}
