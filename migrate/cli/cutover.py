"""`migrate cutover`: cut a wave's synced VMs over (their sources off, a final delta pass, then as `migrate run`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from migrate.cli.context import AppContext, pass_app
from migrate.cli.progress import default_log_path, run_display
from migrate.cli.run import live_factory, say_outcome, with_run_options, with_source_options
from migrate.execution.cutover import cutover_time, cutover_wave
from migrate.execution.engine import duration
from migrate.execution.services import RunOptions


@click.command("cutover")
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave whose synced VMs to cut over.")
@click.option("--vm", "only", multiple=True, metavar="NAME",
              help="Cut over only this synced VM of the wave (repeatable); the others are not touched.")
@click.option("--at", "at_text", metavar="TIME", help="Wait until this local time before anything is changed: HH:MM "
              "(today, or tomorrow once passed) or an ISO date and time; Ctrl-C cancels with nothing changed.")
@with_run_options
@with_source_options
@pass_app
def cutover(app: AppContext, number: int, only: tuple[str, ...], at_text: str | None, options: RunOptions,
            log_file: Path | None, source_name, vcenter, user, ca_file, insecure_source, ssh_port,
            node_addresses) -> None:
    """Cut the wave's synced VMs over: stop each source, copy what changed since its last sync, start the target.

    A VM never synced (`migrate sync`) is refused: `migrate run` copies it whole. Run it again to resume.

    \b
    Example:
      MIGRATE_PVE_TOKEN_SECRET=... MIGRATE_VCENTER_PASSWORD=... \\
        migrate cutover --wave 1 --user administrator@vsphere.local --datastore-path ds1=/mnt/pve/ds1 --at 22:00
    """
    at = cutover_time(at_text, datetime.now().astimezone()) if at_text else None
    factory = live_factory(app, source_name, vcenter, user, ca_file, insecure_source, ssh_port, node_addresses)

    def waiting(when: datetime, names: list[str]) -> None:
        left = (when - datetime.now().astimezone()).total_seconds()
        app.say(f"waiting until {when:%Y-%m-%d %H:%M %Z} (in {duration(left)}) to cut over {', '.join(names)}; "
                "Ctrl-C cancels, nothing is changed before then")

    log_path = log_file or default_log_path(app.db_url, number)
    with run_display(app.stderr, log_path, terminal=app.terminal, quiet=app.quiet) as bars:
        result = cutover_wave(app.sessions, number, options, factory, only=only, at=at, on_wait=waiting,
                              progress=bars.fraction if bars else None)
    app.say(f"log: {log_path}")
    say_outcome(app, number, result, options.agent_timeout, output_format="table")
