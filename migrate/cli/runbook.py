"""`migrate runbook`: write a wave's runbook from its stored plan."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from migrate.cli.context import AppContext, pass_app
from migrate.errors import UsageError
from migrate.files import cannot_write
from migrate.planning.store import load_plan
from migrate.runbook.render import render_runbook
from migrate.waves.store import get_wave, stop_policy
from migrate.words import counted


@click.command()
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave whose plan to write up.")
@click.option("--plan-version", type=click.IntRange(1), help="A plan version other than the newest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Markdown file to write (default: stdout).")
@pass_app
def runbook(app: AppContext, number: int, plan_version: int | None, output: str | None) -> None:
    """Write the Markdown runbook of a wave's plan for the customer's operators.

    \b
    Example:
      migrate runbook --wave 1 -o runbooks/wave-1.md
    """
    with app.session() as session:
        record, plan = load_plan(session, number, plan_version)
        text = render_runbook(plan, record.version, record.digest, policy=stop_policy(get_wave(session, number)))
    if output is None:
        app.stdout.write(text)
        return
    write_whole(Path(output), text)
    app.say(f"wrote {output}: wave {number}, plan {record.version}, {counted(len(plan.vms), 'VM')}")


def write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same directory: never a half-written file."""
    if not path.parent.is_dir():
        raise UsageError(f"-o {path}: the directory {path.parent} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"-o {cannot_write(path, exc)}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:  # A full disk, or `path` is a folder.
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"-o {cannot_write(path, exc)}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
