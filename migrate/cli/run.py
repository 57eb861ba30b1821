"""`migrate run`, `migrate status` and `migrate rollback`: execute a planned wave, watch it, undo it."""

from __future__ import annotations

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.errors import StepFailedError
from migrate.execution.live import SourceAccess, live_services
from migrate.execution.rollback import rollback as rollback_vms
from migrate.execution.services import RunOptions
from migrate.execution.status import wave_status
from migrate.execution.wave import execute_wave

STATUS_HEADERS = ("wave", "vm", "status", "step", "disk", "vmid", "node", "disks_copied", "bytes_copied",
                  "mib_per_second", "ips", "agent", "error")
AGENT_CELLS = {True: "yes", False: "no answer", None: ""}

source_options = [
    click.option("--vcenter", metavar="HOST[:PORT]", help="The source vCenter (default: the only one discovered)."),
    click.option("--user", envvar="MIGRATE_VCENTER_USER", help="vCenter user; the password from "
                 "MIGRATE_VCENTER_PASSWORD. Env: MIGRATE_VCENTER_USER."),
    click.option("--ca-file", type=click.Path(dir_okay=False, exists=True), help="CA of the vCenter's certificate."),
    click.option("--insecure-source", is_flag=True, help="Do not verify the vCenter's certificate (lab only; "
                 "journaled)."),
    click.option("--ssh-port", type=click.IntRange(1, 65535), default=22, show_default=True,
                 help="The nodes' SSH port."),
    click.option("--node-address", "node_addresses", multiple=True, metavar="NODE=HOST[:PORT]",
                 help="Reach NODE's SSH at HOST (default: its address in the cluster status)."),
]


def with_source_options(command):
    for option in reversed(source_options):
        command = option(command)
    return command


def _factory(app: AppContext, vcenter, user, ca_file, insecure, ssh_port, node_addresses):
    pairs = dict(_pair(value, "--node-address", "NODE=HOST[:PORT]") for value in node_addresses)
    with app.session() as session:
        return live_services(session, SourceAccess(vcenter, user, ca_file, insecure, ssh_port, pairs, app.env))


@click.command("run")
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave to migrate.")
@click.option("--parallel", type=click.IntRange(1), default=4, show_default=True, help="VMs at once in total.")
@click.option("--per-node", type=click.IntRange(1), default=2, show_default=True,
              help="VMs at once on one node or one source datastore.")
@click.option("--start/--no-start", default=True, show_default=True, help="Start the target VMs after the copy.")
@click.option("--dry-run", is_flag=True, help="Show what would be migrated; change nothing.")
@click.option("--verify", is_flag=True, help="Compare every disk with its source (qemu-img compare) afterwards.")
@click.option("--agent-timeout", type=click.FloatRange(0), default=120, show_default=True, metavar="SECONDS",
              help="How long a started VM's guest agent has to answer; without an answer the VM is done, its IPs "
              "unknown.")
@click.option("--stall-timeout", type=click.FloatRange(1), default=900, show_default=True, metavar="SECONDS",
              help="Stop a disk copy that shows no progress for this long, and try it again.")
@click.option("--attempts", type=click.IntRange(1), default=4, show_default=True,
              help="Tries in all of a step that failed with a transient error (a dropped connection, a timeout, "
              "a stalled copy, an HTTP 5xx) within the run.")
@click.option("--again", "again", multiple=True, metavar="NAME",
              help="Migrate this rolled-back VM again, from the first step (repeatable); rolled-back VMs are left "
              "out otherwise.")
@click.option("--datastore-path", "datastore_paths", multiple=True, metavar="DATASTORE=PATH",
              help="A source datastore mounted on the nodes (NFS) at PATH; others are read over HTTPS.")
@click.option("--convert/--no-convert", default=True, show_default=True,
              help="Convert each guest the plan says to (virt-v2v-in-place on the node) before its first start "
              "(docs/conversion.md).")
@click.option("--convert-timeout", type=click.FloatRange(60), default=1800, show_default=True, metavar="SECONDS",
              help="Stop a guest's conversion that runs longer, put its volumes back and leave it unstarted.")
@click.option("--virtio-win", metavar="PATH", help="The virtio-win ISO on the nodes: Windows guests are converted "
              "only with it.")
@with_source_options
@pass_app
def run(app: AppContext, number: int, parallel: int, per_node: int, start: bool, dry_run: bool, verify: bool,
        agent_timeout: float, stall_timeout: float, attempts: int, again: tuple[str, ...],
        datastore_paths: tuple[str, ...], convert: bool, convert_timeout: float, virtio_win: str | None, vcenter,
        user, ca_file, insecure_source, ssh_port, node_addresses) -> None:
    """Migrate a planned wave; run it again to resume after a failure or a crash.

    Sources are stopped as the wave's policy says (`migrate wave policy`).

    \b
    Example:
      MIGRATE_PVE_TOKEN_SECRET=... MIGRATE_VCENTER_PASSWORD=... \\
        migrate run --wave 1 --user administrator@vsphere.local --parallel 4 --verify
    """
    paths = dict(_pair(p, "--datastore-path", "DATASTORE=/absolute/path/on/the/node") for p in datastore_paths)
    if any(not path.startswith("/") for path in paths.values()):
        raise click.BadParameter("give DATASTORE=/absolute/path/on/the/node", param_hint="--datastore-path")
    options = RunOptions(parallel=parallel, per_resource=per_node, start=start, dry_run=dry_run, verify=verify,
                         agent_timeout=agent_timeout, stall_timeout=stall_timeout, step_attempts=attempts,
                         datastore_paths=paths, insecure_source=insecure_source, convert=convert,
                         convert_timeout=convert_timeout, virtio_win=virtio_win)
    factory = None if dry_run else _factory(app, vcenter, user, ca_file, insecure_source, ssh_port, node_addresses)
    bars: dict = {}

    def progress(vm: str, step: str, fraction: float) -> None:
        key = f"{vm} {step}"
        bar = bars.get(key) or bars.setdefault(key, app.progress(key, total=100, unit="%"))
        bar.n = round(fraction * 100)
        bar.refresh()

    try:
        result = execute_wave(app.sessions, number, options, factory, progress=progress, again=again)
    finally:
        for bar in bars.values():
            bar.close()
    _say_left_out(app, result.left_out)
    _say_rollback_unfinished(app, result.rollback_unfinished)
    _say_noted(app, result.lookalikes)
    if dry_run:
        render.json_document(app.stdout, result.would_run)
        return
    _report(app, number, result, agent_timeout)


def _report(app: AppContext, number: int, result, agent_timeout: float) -> None:
    outcome = result.outcome
    for name in outcome.skipped_locked:
        app.say(f"{name}: skipped, another run is working on it")
    for name in outcome.done_by_another:
        app.say(f"{name}: skipped, another run migrated it")
    others = len(outcome.skipped_locked) + len(outcome.done_by_another)
    app.say(f"wave {number}: {len(outcome.done)} VMs migrated, {len(outcome.failed)} failed"
            + (f", {others} left to another run" if others else ""))
    for name, error in sorted(outcome.failed.items()):
        app.say(f"failed: {error}")
    if result.no_agent:
        app.say(f"warning: the guest agent of {_vms(result.no_agent)} did not answer within {agent_timeout:g} s: "
                f"{'its' if len(result.no_agent) == 1 else 'their'} IP addresses are unknown; check that "
                "qemu-guest-agent runs in the guest")
    if outcome.failed:
        raise StepFailedError(f"{len(outcome.failed)} VMs of wave {number} failed (listed above): fix the "
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


def _pair(value: str, option: str, form: str) -> tuple[str, str]:
    name, sep, rest = value.partition("=")
    if not sep or not name or not rest:
        raise click.BadParameter(f"{value!r}: give {form}", param_hint=option)
    return name, rest


@click.command("status")
@click.option("--wave", "number", type=click.IntRange(1), help="Only this wave.")
@render.format_option
@pass_app
def status(app: AppContext, number: int | None, output_format: str) -> None:
    """Show each VM's migration: step, the disk copying, bytes copied, speed, target IPs, guest agent, error.

    \b
    Example:
      migrate status --wave 1 --format json
    """
    with app.session() as session:
        rows = wave_status(session, number)
    if output_format == "json":
        render.json_document(app.stdout, rows)
    else:
        render.rows(app.stdout, output_format, STATUS_HEADERS, [[_cell(h, r[h]) for h in STATUS_HEADERS] for r in rows])


def _cell(header: str, value):
    if header == "ips":
        return ",".join(value)
    return AGENT_CELLS[value] if header == "agent" else value


@click.command("rollback")
@click.option("--wave", "number", type=click.IntRange(1), help="Roll back every VM of this wave.")
@click.option("--vm", "vm_name", metavar="NAME", help="Roll back this VM only.")
@with_source_options
@pass_app
def rollback(app: AppContext, number: int | None, vm_name: str | None, vcenter, user, ca_file,
             insecure_source, ssh_port, node_addresses) -> None:
    """Destroy the toolkit's target VMs and volumes and power the stopped sources back on.

    \b
    Example:
      migrate rollback --wave 1 --user administrator@vsphere.local
    """
    if (number is None) == (vm_name is None):
        raise click.UsageError("give one of --wave N and --vm NAME")
    factory = _factory(app, vcenter, user, ca_file, insecure_source, ssh_port, node_addresses)
    outcome = rollback_vms(app.sessions, factory, wave=number, vm_name=vm_name)
    for name, undone in sorted(outcome.rolled_back.items()):
        click.echo(f"{name}: " + ("; ".join(undone) or "nothing to undo"), file=app.stdout)
    _say_noted(app, outcome.noted)
    if outcome.failed:
        for name, error in sorted(outcome.failed.items()):
            app.say(f"failed: {name}: {error}")
        raise StepFailedError(f"the rollback of {len(outcome.failed)} VMs failed (listed above): fix the cause and "
                              "roll back again")
