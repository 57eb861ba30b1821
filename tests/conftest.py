"""Shared fixtures: a fresh, upgraded database per test on SQLite and on a real PostgreSQL server,
and fakepve (the PVE 9 API schema) served in-process with a `dir` storage called `tgt`.

The `fakepve` fixture comes from fakepve's pytest plugin, registered by its entry point.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from migrate.db.session import make_engine, session_factory, upgrade
from tests.support.postgres import PostgresServer, find_bin_dir

BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file at the head revision, copied for each test (cheaper than upgrading each time)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the whole session, with a template database at the head revision."""
    given = os.environ.get("MIGRATE_TEST_PG_URL")
    if given:
        yield _ExternalServer(given)
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql; `make test` does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer(bin_dir)
    server.start()
    try:
        _create_database(server.admin_url, "migrate_template")
        engine = make_engine(server.url("migrate_template"))
        upgrade(engine)
        engine.dispose()
        yield server
    finally:
        server.stop()


class _ExternalServer:
    def __init__(self, url: str) -> None:
        self.admin_url = url

    def url(self, database: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + database


def _create_database(admin_url: str, name: str, template: str | None = None) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        clause = f" TEMPLATE {template}" if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    engine.dispose()


def _fresh_db_url(request, tmp_path: Path, backend: str, stem: str = "migrate") -> str:
    """A new database at the head revision on `backend` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        path = tmp_path / f"{stem}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("postgres")
    name = f"migrate_test_{os.getpid()}_{next(_counter)}"
    _create_database(server.admin_url, name, template="migrate_template")
    return server.url(name)


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """The URL of a fresh database at the head revision, once on SQLite and once on PostgreSQL."""
    return _fresh_db_url(request, tmp_path, request.param)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def second_session(request, db_url, tmp_path):
    """A session on a second fresh database of `db_url`'s backend: two imports kept apart, then compared."""
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    engine = make_engine(_fresh_db_url(request, tmp_path, backend, stem="second"))
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


@pytest.fixture
def pve_api(fakepve, fakepve_cafile, tmp_path):
    """A proxmoxer client of the fakepve fixture, with storage `tgt` (dir) on node pve1."""
    from proxmoxer import ProxmoxAPI

    host, port = fakepve.url.removeprefix("https://").rsplit(":", 1)
    api = ProxmoxAPI(host, port=int(port), user="root@pam", password="secret", verify_ssl=fakepve_cafile)
    api.storage.post(storage="tgt", type="dir", path=str(tmp_path / "store"), content="images")
    return api


@pytest.fixture
def silent_server():
    """A loopback port whose kernel completes the handshake but where nobody ever answers (a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]
