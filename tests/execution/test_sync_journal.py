"""The journal of `migrate sync`'s passes (table sync_passes), on SQLite and PostgreSQL: passes numbered per VM,
the next pass starting from the newest done one, and a pass left `started` by a killed process found at the next."""

from __future__ import annotations

from sqlalchemy import select

from migrate.db.execution_models import SyncPass
from migrate.db.models import VmRecord
from migrate.execution import journal
from tests.factories import make_inventory, make_vm, store_inventory


def _migration(session) -> int:
    store_inventory(session, make_inventory(make_vm("db-01")))
    vm_id = session.scalar(select(VmRecord.id))
    return journal.ensure_vm_migrations(session, 1, [(vm_id, "db-01")])[0].id


def test_passes_are_numbered_per_vm_and_the_next_starts_from_the_newest_done_one(session):
    migration = _migration(session)
    assert journal.last_done_pass(session, migration) is None
    first = journal.sync_pass_started(session, migration)
    journal.sync_snapshot_taken(session, first, "snapshot-1", "migrate-toolkit sync 1", {"scsi0": "52 aa/3"})
    journal.sync_disk_copied(session, first, "scsi0", 1, 8 << 20, 8 << 20, {"full": True})
    journal.sync_pass_ended(session, first)
    second = journal.sync_pass_started(session, migration)
    journal.sync_pass_ended(session, second, "vCenter refused the snapshot")
    session.expire_all()
    rows = session.scalars(select(SyncPass).order_by(SyncPass.number)).all()
    assert [(r.number, r.state) for r in rows] == [(1, "done"), (2, "failed")]
    done = journal.last_done_pass(session, migration)
    assert (done.number, done.change_ids, done.bytes_read, done.extents) == (1, {"scsi0": "52 aa/3"}, 8 << 20, 1)
    assert done.disks == {"scsi0": {"extents": 1, "bytes_read": 8 << 20, "bytes_written": 8 << 20, "full": True}}
    assert rows[1].error == "vCenter refused the snapshot" and rows[1].finished_at is not None


def test_a_pass_a_killed_process_left_started_is_failed_and_named_at_the_next_contact(session):
    migration = _migration(session)
    killed = journal.sync_pass_started(session, migration)
    journal.sync_snapshot_taken(session, killed, "snapshot-9", "migrate-toolkit sync 1", {})
    found = journal.sync_passes_killed(session, migration)
    assert [(r.number, r.snapshot_moref, r.state) for r in found] == [(1, "snapshot-9", "failed")]
    assert journal.sync_passes_killed(session, migration) == []
    assert journal.sync_pass_started(session, migration).number == 2


def test_the_cutovers_pass_is_journaled_final_and_is_the_newest_done_one_after(session):
    migration = _migration(session)
    first = journal.sync_pass_started(session, migration)
    journal.sync_pass_ended(session, first)
    final = journal.sync_pass_started(session, migration, final=True)
    journal.sync_disk_copied(session, final, "scsi0", 3, 3 << 16, 3 << 16, {"whole": False, "seconds": 0.1})
    journal.sync_pass_ended(session, final)
    session.expire_all()
    assert [(r.number, r.final) for r in session.scalars(select(SyncPass).order_by(SyncPass.number))] == [
        (1, False), (2, True)]
    newest = journal.last_done_pass(session, migration)
    assert (newest.number, newest.final, newest.extents, newest.bytes_read) == (2, True, 3, 3 << 16)


def test_a_rollback_discards_the_done_passes_so_the_next_starts_from_a_whole_copy(session):
    migration = _migration(session)
    done = journal.sync_pass_started(session, migration)
    journal.sync_pass_ended(session, done)
    failed = journal.sync_pass_started(session, migration)
    journal.sync_pass_ended(session, failed, "vCenter refused the snapshot")
    journal.discard_sync_passes(session, migration)
    session.commit()
    session.expire_all()
    assert [r.state for r in session.scalars(select(SyncPass).order_by(SyncPass.number))] == ["discarded", "failed"]
    assert journal.last_done_pass(session, migration) is None
    assert journal.synced(session, [migration]) == {migration}  # a rollback still looks for its snapshots
