"""The schema revisions (Alembic), installed as `migrate.migrations`; `migrate.db.session` finds them there."""
