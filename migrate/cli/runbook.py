"""`migrate runbook`: write a wave's runbook from its stored plan."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from migrate.cli.context import AppContext, pass_app
from migrate.errors import UsageError
from migrate.files import cannot_write, replace_when_done
from migrate.planning.store import load_plan
from migrate.runbook.render import render_runbook
from migrate.waves.store import get_wave, stop_policy
from migrate.words import counted


@click.command()
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave whose plan to write up.")
@click.option("--plan-version", type=click.IntRange(1), help="A plan version other than the newest.")
@click.option("--window-start", type=click.DateTime(formats=["%Y-%m-%d %H:%M"]),
              help='The maintenance window\'s start, "YYYY-MM-DD HH:MM": the timeline shows clock times (default: T+0).')
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Markdown file to write (default: stdout).")
@pass_app
def runbook(app: AppContext, number: int, plan_version: int | None, window_start: datetime | None, output: str | None) -> None:
    """Write the Markdown runbook of a wave's plan for the customer's operators.

    \b
    Example:
      migrate runbook --wave 1 --window-start "2026-12-12 22:00" -o runbooks/wave-1.md
    """
    with app.session() as session:
        record, plan = load_plan(session, number, plan_version)
        text = render_runbook(plan, record.version, record.digest, policy=stop_policy(get_wave(session, number)),
                              window_start=window_start)
    if output is None:
        app.stdout.write(text)
        return
    write_whole(Path(output), text)
    app.say(f"wrote {output}: wave {number}, plan {record.version}, {counted(len(plan.vms), 'VM')}")


def write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` as any report is written (`replace_when_done`): never half-written, and as readable
    as the user's umask makes new files (0644 with the usual 022), not private."""
    try:
        with replace_when_done(path) as scratch:
            scratch.write_text(text, encoding="utf-8")
    except UsageError as exc:  # Name the option, as every message about -o does.
        raise UsageError(f"-o {exc}") from None
    except OSError as exc:  # A full disk while writing.
        raise UsageError(f"-o {cannot_write(path, exc)}") from None
