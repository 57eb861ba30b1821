"""`migrate sync`: copy a wave's disks while the sources run, and bring the copies up to date (warm migration)."""

from __future__ import annotations

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.cli.run import datastore_paths_of, live_factory, with_source_options
from migrate.errors import StepFailedError
from migrate.execution.services import RunOptions
from migrate.execution.sync import sync_wave
from migrate.execution.sync_window import parse_window
from migrate.words import counted

HEADERS = ("vm", "pass", "copied_whole", "extents", "bytes_read", "bytes_written", "seconds", "orphans_removed",
           "cbt_enabled", "paused_seconds")


@click.command("sync")
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave whose VMs to sync.")
@click.option("--vm", "only", multiple=True, metavar="NAME",
              help="Sync only this VM of the wave (repeatable); the others are not touched.")
@click.option("--enable-cbt", is_flag=True, help="Turn changed block tracking on where it is off (takes and removes "
              "a snapshot of the running VM); without it such a VM is refused.")
@click.option("--datastore-path", "datastore_paths", multiple=True, metavar="DATASTORE=PATH",
              help="A source datastore mounted on the nodes (NFS) at PATH; others are read over HTTPS.")
@click.option("--bwlimit", "bwlimit", type=click.FloatRange(min=0, min_open=True), metavar="MIB/S",
              help="Read at most this much per second, the whole pass (one copy at a time).")
@click.option("--bwlimit-node", type=click.FloatRange(min=0, min_open=True), metavar="MIB/S",
              help="Read at most this much per second on each node.")
@click.option("--window", "window_text", metavar="HH:MM-HH:MM", help="Read only in these local hours (22:00-06:00 "
              "spans midnight): outside them a pass waits before its snapshot, or between batches of areas.")
@click.option("--stall-timeout", type=click.FloatRange(1), default=900, show_default=True, metavar="SECONDS",
              help="Stop a whole-disk copy that shows no progress for this long.")
@render.format_option
@with_source_options
@pass_app
def sync(app: AppContext, number: int, only: tuple[str, ...], enable_cbt: bool, datastore_paths: tuple[str, ...],
         bwlimit: float | None, bwlimit_node: float | None, window_text: str | None, stall_timeout: float,
         output_format: str, source_name, vcenter, user, ca_file, insecure_source, ssh_port, node_addresses) -> None:
    """Copy the wave's disks into their target volumes while the sources run; again to copy only what changed.

    The first pass copies each disk whole from a snapshot; every later one only the areas changed since the
    last pass (changed block tracking). The toolkit's snapshots are removed after each pass.

    \b
    Example:
      MIGRATE_PVE_TOKEN_SECRET=... MIGRATE_VCENTER_PASSWORD=... \\
        migrate sync --wave 1 --user administrator@vsphere.local --datastore-path ds1=/mnt/pve/ds1 --enable-cbt
      migrate sync --wave 1 --vm db-01 --user administrator@vsphere.local --datastore-path ds1=/mnt/pve/ds1
      migrate sync --wave 1 --user administrator@vsphere.local --bwlimit 200 --window 22:00-06:00
    """
    options = RunOptions(datastore_paths=datastore_paths_of(datastore_paths), insecure_source=insecure_source,
                         stall_timeout=stall_timeout, convert=False, bwlimit_mib_s=bwlimit,
                         bwlimit_node_mib_s=bwlimit_node)
    window = parse_window(window_text) if window_text else None
    factory = live_factory(app, source_name, vcenter, user, ca_file, insecure_source, ssh_port, node_addresses)
    result = sync_wave(app.sessions, number, options, factory, only=only, enable_cbt=enable_cbt, window=window)
    render.rows(app.stdout, output_format, HEADERS,
                [(p.vm, p.number, ",".join(p.whole), p.extents, p.bytes_read, p.bytes_written, round(p.seconds, 3),
                  ",".join(p.orphans_removed), "yes" if p.tracking_enabled else "", p.paused_seconds)
                 for p in result.passes])
    for name, why in sorted(result.skipped.items()):
        app.say(f"{name}: skipped, {why}")
    app.say(f"wave {number}: {counted(len(result.passes), 'VM')} synced, {len(result.failed)} failed")
    for name, error in sorted(result.failed.items()):
        app.say(f"failed: {name}: {error}")
    if result.failed:
        raise StepFailedError(f"the sync of {counted(len(result.failed), 'VM')} of wave {number} failed (listed "
                              f"above): fix the cause and run `migrate sync --wave {number}` again")
