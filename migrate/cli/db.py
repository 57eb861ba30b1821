"""`migrate db`: create, upgrade and inspect the inventory database."""

from __future__ import annotations

import click

from migrate.cli.context import AppContext, pass_app
from migrate.db import session as dbsession


@click.group()
def db() -> None:
    """Create and upgrade the inventory database."""


@db.command()
@pass_app
def upgrade(app: AppContext) -> None:
    """Create the database or bring it to the current schema.

    \b
    Example:
      migrate --db postgresql+psycopg://migrate@db.example.com/estate db upgrade
    """
    dbsession.upgrade(app.engine)
    app.say(f"database at schema revision {dbsession.current_revision(app.engine)}")


@db.command()
@pass_app
def current(app: AppContext) -> None:
    """Print the database's schema revision and the newest one this version knows.

    \b
    Example:
      migrate db current
    """
    click.echo(f"current: {dbsession.current_revision(app.engine) or 'none'}", file=app.stdout)
    click.echo(f"head: {dbsession.head_revision(app.engine)}", file=app.stdout)
