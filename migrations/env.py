"""Alembic environment: the engine comes from `migrate.db.session.alembic_config`, never from an ini file."""

from alembic import context

from migrate.db import execution_models, models, plan_models, readiness_models  # noqa: F401  (registers every table on the metadata)
from migrate.db.base import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite has almost no ALTER TABLE
        transaction_per_migration=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
