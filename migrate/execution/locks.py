"""Making sure two `migrate run` processes never work on the same VM.

PostgreSQL: a row lock on the VM's `vm_locks` row (SELECT ... FOR UPDATE SKIP LOCKED), held in a
transaction of its own for as long as the VM is worked on. SQLite has no row locks: an exclusive
`flock` on a lock file beside the database does the same job. Either lock dies with the process,
so a killed run never leaves a VM locked.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text


class VmLocker:
    """try_lock(id) takes a VM's lock without waiting; release(id) gives it back."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._held: dict[int, Connection | int] = {}
        self._mutex = threading.Lock()
        url = engine.url
        self._lock_dir = None
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            self._lock_dir = Path(f"{database}.locks") if database and database != ":memory:" else None

    def try_lock(self, vm_migration_id: int) -> bool:
        with self._mutex:
            if vm_migration_id in self._held:
                return False
            holder = self._lock_row(vm_migration_id) if self._lock_dir is None and self._is_postgres else \
                self._lock_file(vm_migration_id)
            if holder is None:
                return False
            self._held[vm_migration_id] = holder
            return True

    @contextmanager
    def held(self, vm_migration_id: int) -> Iterator[bool]:
        """The VM's lock for the block when it can be taken now (True, released at the block's end); False when
        another process or thread holds it."""
        if not self.try_lock(vm_migration_id):
            yield False
            return
        try:
            yield True
        finally:
            self.release(vm_migration_id)

    def release(self, vm_migration_id: int) -> None:
        with self._mutex:
            holder = self._held.pop(vm_migration_id, None)
        if isinstance(holder, Connection):
            holder.rollback()
            holder.close()
        elif isinstance(holder, int) and holder >= 0:
            os.close(holder)  # closing the descriptor drops the flock

    def release_all(self) -> None:
        for vm_migration_id in list(self._held):
            self.release(vm_migration_id)

    @property
    def _is_postgres(self) -> bool:
        return self._engine.url.get_backend_name() == "postgresql"

    def _lock_row(self, vm_migration_id: int) -> Connection | None:
        connection = self._engine.connect()
        connection.begin()
        row = connection.execute(
            text("SELECT vm_migration_id FROM vm_locks WHERE vm_migration_id = :id FOR UPDATE SKIP LOCKED"),
            {"id": vm_migration_id},
        ).first()
        if row is None:
            connection.rollback()
            connection.close()
            return None
        return connection

    def _lock_file(self, vm_migration_id: int) -> int | None:
        if self._lock_dir is None:
            return -1  # an in-memory database is private to this process
        self._lock_dir.mkdir(exist_ok=True)
        descriptor = os.open(self._lock_dir / f"vm-{vm_migration_id}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        return descriptor
