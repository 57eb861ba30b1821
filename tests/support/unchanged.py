"""Snapshots to assert that a refused input changed nothing: every row of the database, every file of a folder."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from migrate.db.base import Base
from migrate.db.session import make_engine

# Importing the models registers every table on Base.metadata.
import migrate.db.execution_models  # noqa: F401
import migrate.db.models  # noqa: F401
import migrate.db.plan_models  # noqa: F401
import migrate.db.readiness_models  # noqa: F401


def database_rows(db_url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the models, in a stable order."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden scratch files included) with its bytes."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
