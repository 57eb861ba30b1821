"""The `session` fixture of the RVTools tests: SQLite always, PostgreSQL when MIGRATE_TEST_POSTGRES_URL is set.

A stand-in until tests/conftest.py provides the shared SQLite/PostgreSQL fixture: delete this file
then. The schema is built by the Alembic revisions, so they are what is tested.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from migrate.db.session import make_engine, session_factory, upgrade

POSTGRES_URL = os.environ.get("MIGRATE_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'inventory.db'}")
    elif POSTGRES_URL:
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as connection:  # a clean schema per test: this database is for tests only
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        pytest.skip("set MIGRATE_TEST_POSTGRES_URL=postgresql+psycopg://... to run the database tests on PostgreSQL")
    upgrade(engine)
    with session_factory(engine)() as db:
        yield db
    engine.dispose()
