"""`migrate cutover`: cut a wave's synced VMs over (their sources off, a final delta pass, then as `migrate run`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from migrate.cli.context import AppContext, pass_app
from migrate.cli.progress import default_log_path, run_display
from migrate.cli.run import datastore_paths_of, live_factory, say_outcome, with_source_options
from migrate.execution.cutover import cutover_time, cutover_wave
from migrate.execution.engine import duration
from migrate.execution.services import RunOptions


@click.command("cutover")
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave whose synced VMs to cut over.")
@click.option("--vm", "only", multiple=True, metavar="NAME",
              help="Cut over only this synced VM of the wave (repeatable); the others are not touched.")
@click.option("--at", "at_text", metavar="TIME", help="Wait until this local time before anything is changed: HH:MM "
              "(today, or tomorrow once passed) or an ISO date and time; Ctrl-C cancels with nothing changed.")
@click.option("--parallel", type=click.IntRange(1), default=4, show_default=True, help="VMs at once in total.")
@click.option("--per-node", type=click.IntRange(1), default=2, show_default=True,
              help="VMs at once on one node or one source datastore.")
@click.option("--start/--no-start", default=True, show_default=True, help="Start the target VMs after the copy.")
@click.option("--verify", is_flag=True, help="Compare every disk with its source (qemu-img compare) before the start.")
@click.option("--agent-timeout", type=click.FloatRange(0), default=120, show_default=True, metavar="SECONDS",
              help="How long a started VM's guest agent has to answer.")
@click.option("--stall-timeout", type=click.FloatRange(1), default=900, show_default=True, metavar="SECONDS",
              help="Stop a whole-disk copy that shows no progress for this long, and try it again.")
@click.option("--attempts", type=click.IntRange(1), default=4, show_default=True,
              help="Tries in all of a step that failed with a transient error within the run.")
@click.option("--datastore-path", "datastore_paths", multiple=True, metavar="DATASTORE=PATH",
              help="A source datastore mounted on the nodes (NFS) at PATH; others are read over HTTPS.")
@click.option("--convert/--no-convert", default=True, show_default=True,
              help="Convert each guest the plan says to before its first start (docs/conversion.md).")
@click.option("--bwlimit", "bwlimit", type=click.FloatRange(min=0, min_open=True), metavar="MIB/S",
              help="Read at most this much per second for the whole cutover (it lengthens the downtime).")
@click.option("--bwlimit-node", type=click.FloatRange(min=0, min_open=True), metavar="MIB/S",
              help="Read at most this much per second on each node.")
@click.option("--require-test", is_flag=True,
              help="Refuse a VM whose last rehearsal (`migrate test`) did not pass, before anything is changed.")
@click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Append the run's timestamped record here (default: migrate-wave-N.log beside the database).")
@with_source_options
@pass_app
def cutover(app: AppContext, number: int, only: tuple[str, ...], at_text: str | None, parallel: int, per_node: int,
            start: bool, verify: bool, agent_timeout: float, stall_timeout: float, attempts: int,
            datastore_paths: tuple[str, ...], convert: bool, bwlimit: float | None, bwlimit_node: float | None,
            require_test: bool, log_file: Path | None, source_name, vcenter, user, ca_file, insecure_source, ssh_port,
            node_addresses) -> None:
    """Cut the wave's synced VMs over: stop each source, copy what changed since its last sync, start the target.

    A VM never synced (`migrate sync`) is refused: `migrate run` copies it whole. Run it again to resume.

    \b
    Example:
      MIGRATE_PVE_TOKEN_SECRET=... MIGRATE_VCENTER_PASSWORD=... \\
        migrate cutover --wave 1 --user administrator@vsphere.local --datastore-path ds1=/mnt/pve/ds1 --at 22:00
    """
    at = cutover_time(at_text, datetime.now().astimezone()) if at_text else None
    options = RunOptions(parallel=parallel, per_resource=per_node, start=start, verify=verify,
                         agent_timeout=agent_timeout, stall_timeout=stall_timeout, step_attempts=attempts,
                         datastore_paths=datastore_paths_of(datastore_paths), insecure_source=insecure_source,
                         convert=convert, require_test=require_test, bwlimit_mib_s=bwlimit,
                         bwlimit_node_mib_s=bwlimit_node)
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
    say_outcome(app, number, result, agent_timeout, output_format="table")
