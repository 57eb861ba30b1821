"""`migrate run`, `migrate status` and `migrate rollback`: execute a planned wave, watch it, undo it."""

from __future__ import annotations

import functools
import shlex
import time
from dataclasses import replace
from pathlib import Path

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.db.base import utcnow
from migrate.db.execution_models import VmStatus
from migrate.cli.progress import default_log_path, run_display
from migrate.errors import StepFailedError
from migrate.execution.live import SourceAccess, live_services
from migrate.execution.rollback import rollback as rollback_vms
from migrate.execution.services import RunOptions
from migrate.execution.status import wave_status
from migrate.execution.wave import execute_wave
from migrate.target.reach import parse_node_address
from migrate.words import counted

STATUS_HEADERS = ("wave", "vm", "status", "step", "disk", "vmid", "node", "disks_copied", "bytes_planned",
                  "bytes_estimated", "bytes_moved",
                  "mib_per_second", "started", "finished", "duration_seconds", "downtime_seconds", "ips", "ips_missing",
                  "agent", "rehearsal", "sync_pass", "sync_age_seconds", "sync_bytes_behind", "cutover_downtime_seconds",
                  "error")
AGENT_CELLS = {True: "yes", False: "no answer", None: ""}
DRY_RUN_HEADERS = ("vm", "node", "vmid", "disks")

source_options = [
    click.option("--source", "source_name", metavar="NAME", envvar="MIGRATE_SOURCE", help="The recorded source "
                 "(`migrate source add`); implied when there is one. Env: MIGRATE_SOURCE."),
    click.option("--vcenter", metavar="HOST[:PORT]", help="The source vCenter, instead of a recorded source's."),
    click.option("--user", envvar="MIGRATE_VCENTER_USER", help="vCenter user, instead of the source's; the password "
                 "from MIGRATE_VCENTER_PASSWORD. Env: MIGRATE_VCENTER_USER."),
    click.option("--ca-file", type=click.Path(dir_okay=False, exists=True), help="CA of the vCenter's certificate."),
    click.option("--insecure", "--insecure-source", "insecure_source", is_flag=True,
                 help="Do not verify the vCenter's certificate (lab only; journaled)."),
    click.option("--ssh-port", type=click.IntRange(1, 65535), help="The nodes' SSH port, for this run "
                 "(default: the target's, `target set --ssh-port`)."),
    click.option("--node-address", "node_addresses", multiple=True, metavar="NODE=HOST[:PORT]",
                 help="Reach NODE's SSH at HOST for this run (default: the target's `target set --node-address`, "
                 "else the node's address in the cluster status)."),
]


def with_source_options(command):
    for option in reversed(source_options):
        command = option(command)
    return command


def live_factory(app: AppContext, source_name, vcenter, user, ca_file, insecure, ssh_port, node_addresses):
    pairs = dict(parse_node_address(value) for value in node_addresses)
    with app.session() as session:
        return live_services(session, SourceAccess(vcenter, user, ca_file, insecure, ssh_port, pairs, app.env,
                                                   source=source_name))


# What `migrate run` and `migrate cutover` share: how the wave's VMs are executed, gathered into one RunOptions.
run_options = [
    click.option("--parallel", type=click.IntRange(1), default=4, show_default=True, help="VMs at once in total."),
    click.option("--per-node", type=click.IntRange(1), default=2, show_default=True,
                 help="VMs at once on one node or one source datastore."),
    click.option("--start/--no-start", default=True, show_default=True, help="Start the target VMs after the copy."),
    click.option("--verify", is_flag=True, help="Compare every disk with its source (qemu-img compare) afterwards."),
    click.option("--agent-timeout", type=click.FloatRange(0), default=120, show_default=True, metavar="SECONDS",
                 help="How long a started VM's guest agent has to answer; without an answer the VM is done, its IPs "
                 "unknown."),
    click.option("--stall-timeout", type=click.FloatRange(1), default=900, show_default=True, metavar="SECONDS",
                 help="Stop a disk copy that shows no progress for this long, and try it again."),
    click.option("--attempts", type=click.IntRange(1), default=4, show_default=True,
                 help="Tries in all of a step that failed with a transient error (a dropped connection, a timeout, "
                 "a stalled copy, an HTTP 5xx) within the run."),
    click.option("--datastore-path", "datastore_paths", multiple=True, metavar="DATASTORE=PATH",
                 help="A source datastore mounted on the nodes (NFS) at PATH; others are read over HTTPS."),
    click.option("--convert/--no-convert", default=True, show_default=True,
                 help="Convert each guest the plan says to (virt-v2v-in-place on the node) before its first start "
                 "(docs/conversion.md)."),
    click.option("--convert-timeout", type=click.FloatRange(60), default=1800, show_default=True, metavar="SECONDS",
                 help="Stop a guest's conversion that runs longer, put its volumes back and leave it unstarted."),
    click.option("--virtio-win", metavar="PATH", help="The virtio-win ISO on the nodes: Windows guests are converted "
                 "only with it."),
    click.option("--bwlimit", "bwlimit", type=click.FloatRange(min=0, min_open=True), metavar="MIB/S",
                 help="Read at most this much per second for the whole run, shared by the copies that can run at "
                 "once."),
    click.option("--bwlimit-node", type=click.FloatRange(min=0, min_open=True), metavar="MIB/S",
                 help="Read at most this much per second on each node, shared by its copies at once (--per-node)."),
    click.option("--require-test", is_flag=True,
                 help="Refuse a VM whose last rehearsal (`migrate test`) did not pass, before anything is changed."),
    click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                 help="Append the run's timestamped record here (default: migrate-wave-N.log beside the database)."),
]


def with_run_options(command):
    """Add the run options to `command`, which receives them as one `options: RunOptions`, and `log_file`. The
    source options (`with_source_options`) must be the command's too: RunOptions holds `--insecure`."""

    @functools.wraps(command)
    def with_options(*args, parallel, per_node, start, verify, agent_timeout, stall_timeout, attempts,
                     datastore_paths, convert, convert_timeout, virtio_win, bwlimit, bwlimit_node, require_test,
                     **kwargs):
        options = RunOptions(parallel=parallel, per_resource=per_node, start=start, verify=verify,
                             agent_timeout=agent_timeout, stall_timeout=stall_timeout, step_attempts=attempts,
                             datastore_paths=datastore_paths_of(datastore_paths),
                             insecure_source=kwargs["insecure_source"], convert=convert,
                             convert_timeout=convert_timeout, virtio_win=virtio_win, bwlimit_mib_s=bwlimit,
                             bwlimit_node_mib_s=bwlimit_node, require_test=require_test)
        return command(*args, options=options, **kwargs)

    for option in reversed(run_options):
        with_options = option(with_options)
    return with_options


@click.command("run")
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave to migrate.")
@click.option("--dry-run", is_flag=True, help="Show what would be migrated; change nothing.")
@click.option("--again", "again", multiple=True, metavar="NAME",
              help="Migrate this rolled-back VM again, from the first step (repeatable); rolled-back VMs are left "
              "out otherwise.")
@click.option("--vm", "only", multiple=True, metavar="NAME",
              help="Migrate only this VM of the wave (repeatable); the others are not touched.")
@click.option("--exclude", multiple=True, metavar="NAME", help="Leave this VM of the wave out of this run (repeatable).")
@with_run_options
@render.format_option
@with_source_options
@pass_app
def run(app: AppContext, number: int, dry_run: bool, again: tuple[str, ...], only: tuple[str, ...],
        exclude: tuple[str, ...], options: RunOptions, log_file: Path | None, output_format: str, source_name,
        vcenter, user, ca_file, insecure_source, ssh_port, node_addresses) -> None:
    """Migrate a planned wave, or some of its VMs; run it again to resume after a failure or a crash.

    Sources are stopped as the wave's policy says (`migrate wave policy`). VMs cut over in the wave's order
    (`migrate wave show`): a later order group begins when the earlier ones are done, never after a failure.
    A VM a warm copy synced (`migrate sync`) is cut over as `migrate cutover` does.

    \b
    Example:
      MIGRATE_PVE_TOKEN_SECRET=... MIGRATE_VCENTER_PASSWORD=... \\
        migrate run --wave 1 --user administrator@vsphere.local --parallel 4 --verify
      migrate run --wave 1 --vm db-01 --user administrator@vsphere.local
      migrate run --wave 1 --bwlimit 400 --bwlimit-node 200
    """
    options = replace(options, dry_run=dry_run)
    factory = None if dry_run else live_factory(app, source_name, vcenter, user, ca_file, insecure_source, ssh_port,
                                            node_addresses)
    if dry_run:
        result = execute_wave(app.sessions, number, options, factory, again=again, only=only, exclude=exclude)
    else:
        log_path = log_file or default_log_path(app.db_url, number)
        with run_display(app.stderr, log_path, terminal=app.terminal, quiet=app.quiet) as bars:
            result = execute_wave(app.sessions, number, options, factory, progress=bars.fraction if bars else None,
                                  again=again, only=only, exclude=exclude)
        app.say(f"log: {log_path}")
    say_outcome(app, number, result, options.agent_timeout, output_format, dry_run)


def say_outcome(app: AppContext, number: int, result, agent_timeout: float, output_format: str,
                dry_run: bool = False) -> None:
    """What a run (or a cutover) did, on stderr, or with --dry-run what it would do on stdout; StepFailedError when
    a VM failed."""
    _say_left_out(app, result.left_out)
    _say_rollback_unfinished(app, result.rollback_unfinished)
    _say_noted(app, result.lookalikes)
    if result.held_back:
        app.say(f"not begun: {', '.join(result.held_back)}: an earlier cutover order group has a failed VM; "
                f"fix it and run the wave again")
    if dry_run:  # --format is for what --dry-run prints: the VMs it would migrate, in order
        render.rows(app.stdout, output_format, DRY_RUN_HEADERS,
                    [(item["vm"], item["node"], item["vmid"], "; ".join(item["disks"])) for item in result.would_run])
        return
    _report(app, number, result, agent_timeout)


def _report(app: AppContext, number: int, result, agent_timeout: float) -> None:
    outcome = result.outcome
    for name in outcome.skipped_locked:
        app.say(f"{name}: skipped, another run is working on it")
    for name in outcome.done_by_another:
        app.say(f"{name}: skipped, another run migrated it")
    others = len(outcome.skipped_locked) + len(outcome.done_by_another)
    app.say(f"wave {number}: {counted(len(outcome.done), 'VM')} migrated, {len(outcome.failed)} failed"
            + (f", {others} left to another run" if others else ""))
    for name, error in sorted(outcome.failed.items()):
        app.say(f"failed: {error}")
    for name, missing in sorted(result.ips_missing.items()):
        app.say(f"warning: {name} came back without its static address {', '.join(missing)} (the guest agent reports "
                "others): its network configuration did not follow the new NIC; fix it in the guest, or roll it back "
                f"with `migrate rollback --vm {shlex.quote(name)}`")
    if result.no_agent:
        app.say(f"warning: the guest agent of {_vms(result.no_agent)} did not answer within {agent_timeout:g} s: "
                f"{'its' if len(result.no_agent) == 1 else 'their'} IP addresses are unknown; check that "
                "qemu-guest-agent runs in the guest")
    if outcome.failed:
        raise StepFailedError(f"{counted(len(outcome.failed), 'VM')} of wave {number} failed (listed above): fix the "
                              f"cause and run `migrate run --wave {number}` again, or `migrate rollback`")


def _say_noted(app: AppContext, noted: dict[str, list[str]]) -> None:
    """What the operator should know of each VM and that failed nothing: look-alikes of its target, left alone."""
    for name, lines in sorted(noted.items()):
        for line in lines:
            app.say(f"warning: {name}: {line}")


def _say_left_out(app: AppContext, names: list[str]) -> None:
    if names:
        app.say(f"left out {_vms(names, 'rolled-back ')}: migrate {_them(names)} again with "
                + " ".join(f"--again {name}" for name in names))


def _say_rollback_unfinished(app: AppContext, names: list[str]) -> None:
    if names:
        app.say(f"left out {_vms(names)} whose rollback did not finish (the target may be gone already): roll "
                f"{_them(names)} back again with " + " and ".join(f"`migrate rollback --vm {name}`" for name in names))


def _vms(names: list[str], kind: str = "") -> str:
    return f"{len(names)} {kind}VM{'s' if len(names) > 1 else ''} ({', '.join(names)})"


def _them(names: list[str]) -> str:
    return "it" if len(names) == 1 else "them"


def datastore_paths_of(values: tuple[str, ...]) -> dict[str, str]:
    """--datastore-path DATASTORE=PATH options as a dict; a malformed or relative one is refused."""
    paths = dict(_pair(p, "--datastore-path", "DATASTORE=/absolute/path/on/the/node") for p in values)
    if any(not path.startswith("/") for path in paths.values()):
        raise click.BadParameter("give DATASTORE=/absolute/path/on/the/node", param_hint="--datastore-path")
    return paths


def _pair(value: str, option: str, form: str) -> tuple[str, str]:
    name, sep, rest = value.partition("=")
    if not sep or not name or not rest:
        raise click.BadParameter(f"{value!r}: give {form}", param_hint=option)
    return name, rest


@click.command("status")
@click.option("--wave", "number", type=click.IntRange(1), help="Only this wave.")
@click.option("--watch", is_flag=True, help="Show it again every --interval seconds until no VM is running or "
              "pending (Ctrl-C stops), to follow a run from another shell.")
@click.option("--interval", type=click.FloatRange(0.1), default=5.0, show_default=True, metavar="SECONDS",
              help="How often --watch shows it.")
@render.format_option
@pass_app
def status(app: AppContext, number: int | None, watch: bool, interval: float, output_format: str) -> None:
    """Show each VM's migration: step, the disk copying, bytes moved, speed, times, duration, downtime, IPs,
    agent, error.

    \b
    Example:
      migrate status --wave 1 --format json
      migrate status --wave 1 --watch
    """
    while True:
        with app.session() as session:
            rows = wave_status(session, number)
        if watch:  # each view begins with when it was taken: on a terminal the screen is cleared first
            app.stdout.write(("\x1b[H\x1b[2J" if app.stdout_terminal else "")
                             + f"# {utcnow().isoformat(timespec='seconds')}\n")
        if output_format == "json":
            render.json_document(app.stdout, rows)
        else:
            render.rows(app.stdout, output_format, STATUS_HEADERS,
                        [[_cell(h, r[h]) for h in STATUS_HEADERS] for r in rows])
        app.stdout.flush()
        if not watch or not any(row["status"] in (VmStatus.RUNNING, VmStatus.PENDING) for row in rows):
            return
        time.sleep(interval)


def _cell(header: str, value):
    if header in ("ips", "ips_missing"):
        return ",".join(value)
    if header == "bytes_estimated":
        return {True: "yes", False: "no", None: ""}[value]
    return AGENT_CELLS[value] if header == "agent" else value


@click.command("rollback")
@click.option("--wave", "number", type=click.IntRange(1), help="Roll back every VM of this wave.")
@click.option("--vm", "vm_name", metavar="NAME", help="Roll back this VM only.")
@with_source_options
@pass_app
def rollback(app: AppContext, number: int | None, vm_name: str | None, source_name, vcenter, user, ca_file,
             insecure_source, ssh_port, node_addresses) -> None:
    """Destroy the toolkit's target VMs and volumes and power the stopped sources back on.

    \b
    Example:
      migrate rollback --wave 1 --user administrator@vsphere.local
    """
    if (number is None) == (vm_name is None):
        raise click.UsageError("give one of --wave N and --vm NAME")
    factory = live_factory(app, source_name, vcenter, user, ca_file, insecure_source, ssh_port, node_addresses)
    outcome = rollback_vms(app.sessions, factory, wave=number, vm_name=vm_name)
    for name, undone in sorted(outcome.rolled_back.items()):
        click.echo(f"{name}: " + ("; ".join(undone) or "nothing to undo"), file=app.stdout)
    _say_noted(app, outcome.noted)
    if outcome.failed:
        for name, error in sorted(outcome.failed.items()):
            app.say(f"failed: {name}: {error}")
        raise StepFailedError(f"the rollback of {counted(len(outcome.failed), 'VM')} failed (listed above): fix the cause and "
                              "roll back again")
