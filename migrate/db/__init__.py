"""The inventory database: SQLite by default, PostgreSQL by URL; the schema changes only through Alembic."""
