"""The `session` fixture of the RVTools tests.

A stand-in until tests/conftest.py provides the shared SQLite/PostgreSQL fixture: delete this file
then. The schema is built by the Alembic revisions, so they are what is tested.
"""

from __future__ import annotations

import pytest

from migrate.db.session import make_engine, session_factory, upgrade


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'inventory.db'}")
    upgrade(engine)
    with session_factory(engine)() as db:
        yield db
    engine.dispose()
