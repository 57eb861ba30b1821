"""A database that cannot be used: one line naming it and the fix, exit 7, and never a hang or a traceback."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import text

from migrate.db import session as dbsession
from migrate.db.session import make_engine
from migrate.errors import ExitCode
from tests.support.cli import run_cli
from tests.support.unchanged import database_rows

FUTURE = "0099_from_the_future"


def _set_revision(db_url: str, revision: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    engine.dispose()


def _revision(db_url: str) -> str:
    engine = make_engine(db_url)
    with engine.connect() as connection:
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return found


def _one_line(result, code: ExitCode) -> str:
    assert result.exit_code == code, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr and result.stdout == ""
    return result.stderr


@pytest.mark.parametrize("command", [("db", "upgrade"), ("inventory", "list")])
def test_a_database_written_by_a_newer_migrate_is_refused_unchanged(db_url, command):
    _set_revision(db_url, FUTURE)
    rows = database_rows(db_url)
    stderr = _one_line(run_cli(*command, db_url=db_url), ExitCode.DATABASE)
    assert stderr.startswith("migrate: error: this database was written by a newer migrate: ")
    assert f"is at schema revision {FUTURE}, unknown to this version (its newest is " in stderr
    assert stderr.endswith("): upgrade migrate to use it\n")
    assert _revision(db_url) == FUTURE and database_rows(db_url) == rows


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_connection_is_one_line_naming_host_and_fix():
    port = _closed_port()
    stderr = _one_line(run_cli("inventory", "list", db_url=f"postgresql+psycopg://u@127.0.0.1:{port}/db"),
                       ExitCode.DATABASE)
    assert stderr == (f"migrate: error: cannot connect to the PostgreSQL server at 127.0.0.1 port {port} (Connection "
                      "refused): check that it runs and accepts connections from here, and the host and port in "
                      "--db or MIGRATE_DB\n")


def test_a_server_that_never_answers_times_out_in_one_line(silent_server, monkeypatch):
    monkeypatch.setattr(dbsession, "CONNECT_TIMEOUT_SECONDS", 2)  # libpq's smallest
    started = time.monotonic()
    result = run_cli("db", "upgrade", db_url=f"postgresql+psycopg://u@127.0.0.1:{silent_server}/db")
    assert time.monotonic() - started < 10
    assert _one_line(result, ExitCode.DATABASE).startswith(
        f"migrate: error: cannot connect to the PostgreSQL server at 127.0.0.1 port {silent_server} "
        "(connection timeout expired): check that it runs")


def test_the_url_can_set_its_own_connect_timeout(silent_server):
    started = time.monotonic()
    result = run_cli("inventory", "list", db_url=f"postgresql+psycopg://u@127.0.0.1:{silent_server}/db?connect_timeout=2")
    assert time.monotonic() - started < dbsession.CONNECT_TIMEOUT_SECONDS
    assert "(connection timeout expired)" in _one_line(result, ExitCode.DATABASE)
