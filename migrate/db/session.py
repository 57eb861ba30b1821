"""Engines, sessions and schema revisions.

Library functions take a session and never create engines; the CLI (or a test) owns the engine
and the transaction. The schema is created and changed only by the Alembic revisions in
`migrations/` (the package `migrate.migrations`), which `upgrade()` applies.
"""

from __future__ import annotations

import os
import re

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from migrate.errors import DatabaseError, UsageError
from migrate.resources import data_dir

DEFAULT_DB_URL = "sqlite:///migrate.db"
# A PostgreSQL host that accepts the connection and never answers (a hung server, a firewall that swallows
# packets) would block a command forever; setting up a connection takes well under a second even over a WAN.
# `?connect_timeout=N` in the URL overrides it (libpq counts anything under 2 s as 2 s).
CONNECT_TIMEOUT_SECONDS = 10
MIGRATIONS_DIR = data_dir("migrate.migrations")


def resolve_db_url(url: str | None) -> str:
    """The database URL: the given one, else MIGRATE_DB, else a SQLite file in the working directory."""
    url = url or os.environ.get("MIGRATE_DB") or DEFAULT_DB_URL
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(
            f"database URL {url!r} is not valid: use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.drivername not in {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}:
        raise UsageError(
            f"database URL driver {parsed.drivername!r} is not supported: use sqlite:/// or postgresql+psycopg://"
        )
    return url


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys enforced and a busy timeout for parallel runs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration, built in code: no ini file to keep in step."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`; a database written by a newer migrate is refused."""
    _refuse_newer(engine, current_revision(engine))
    try:
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        raise DatabaseError(f"cannot upgrade the database {_safe_url(engine)}: {_first_line(exc.orig)}") from exc


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise cannot_open(engine, exc) from exc


def cannot_open(engine: Engine, exc: OperationalError) -> DatabaseError:
    """One line for a database that cannot be opened: for a server, which one and what to check."""
    url = engine.url
    if url.get_backend_name() != "postgresql":
        return DatabaseError(f"cannot open the database {_safe_url(engine)}: {_first_line(exc.orig)}")
    host = url.host or url.query.get("host") or "localhost"
    reason = re.sub(r"^connection failed: connection to server .*? failed: ", "", _first_line(exc.orig))
    return DatabaseError(
        f"cannot connect to the PostgreSQL server at {host} port {url.port or 5432} ({reason}): check that it runs "
        "and accepts connections from here, and the host and port in --db or MIGRATE_DB"
    )


def _first_line(error: BaseException) -> str:
    # psycopg adds a hint on a second line, indented; the message has to stay one line.
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _known_revisions(engine: Engine) -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()}


def _refuse_newer(engine: Engine, current: str | None) -> None:
    """Alembic knows only the revisions shipped with this version; any other was written by a newer one."""
    if current is not None and current not in _known_revisions(engine):
        raise DatabaseError(
            f"this database was written by a newer migrate: {_safe_url(engine)} is at schema revision {current}, "
            f"unknown to this version (its newest is {head_revision(engine)}): upgrade migrate to use it"
        )


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a database that `migrate db upgrade` has not brought to the current schema."""
    current, head = current_revision(engine), head_revision(engine)
    _refuse_newer(engine, current)
    if current != head:
        state = "has no schema yet" if current is None else f"is at schema revision {current}, not {head}"
        raise DatabaseError(f"the database {_safe_url(engine)} {state}: run `migrate db upgrade`")


def _safe_url(engine: Engine) -> str:
    """The URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)
