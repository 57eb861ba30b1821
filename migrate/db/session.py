"""Engines, sessions and schema revisions.

Library functions take a session and never create engines; the CLI (or a test) owns the engine
and the transaction. The schema is created and changed only by the Alembic revisions in
`migrations/` (the package `migrate.migrations`), which `upgrade()` applies.
"""

from __future__ import annotations

import os

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
    return create_engine(url, pool_pre_ping=True)


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
    """Create or upgrade the schema to `revision`."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        raise DatabaseError(f"cannot upgrade the database {_safe_url(engine)}: {exc.orig}") from exc


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database {_safe_url(engine)}: {exc.orig}") from exc


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a database that `migrate db upgrade` has not brought to the current schema."""
    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        state = "has no schema yet" if current is None else f"is at schema revision {current}, not {head}"
        raise DatabaseError(f"the database {_safe_url(engine)} {state}: run `migrate db upgrade`")


def _safe_url(engine: Engine) -> str:
    """The URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)
