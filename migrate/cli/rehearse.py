"""`migrate test`: rehearse a wave's VMs on copies of their running sources, on an isolated network; clean up."""

from __future__ import annotations

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.cli.run import datastore_paths_of, live_factory, with_source_options
from migrate.errors import StepFailedError, UsageError
from migrate.execution.rehearsal import RehearsalOptions, cleanup, rehearse_wave
from migrate.execution.services import RunOptions
from migrate.words import counted

HEADERS = ("vm", "result", "test_vm", "reason")


@click.command("test")
@click.option("--wave", "number", type=click.IntRange(1), help="The wave to rehearse (or whose test VMs to remove).")
@click.option("--vm", "only", multiple=True, metavar="NAME", help="Only this VM of the wave (repeatable).")
@click.option("--bridge", metavar="BRIDGE", help="Put every NIC of the test VMs on this isolated bridge, untagged.")
@click.option("--link-down", is_flag=True, help="Keep the NICs on their planned bridges with their link down.")
@click.option("--agent-timeout", type=click.FloatRange(0), default=300, show_default=True, metavar="SECONDS",
              help="How long a test VM's guest agent has to answer: the rehearsal passes when it does.")
@click.option("--convert/--no-convert", default=True, show_default=True,
              help="Convert the test copy as the cutover will (docs/conversion.md).")
@click.option("--datastore-path", "datastore_paths", multiple=True, metavar="DATASTORE=PATH",
              help="A source datastore mounted on the nodes (NFS) at PATH; others are read over HTTPS.")
@click.option("--cleanup", "clean", is_flag=True, help="Destroy the test VMs (and their volumes); nothing else.")
@render.format_option
@with_source_options
@pass_app
def test(app: AppContext, number: int | None, only: tuple[str, ...], bridge: str | None, link_down: bool,
         agent_timeout: float, convert: bool, datastore_paths: tuple[str, ...], clean: bool, output_format: str,
         source_name, vcenter, user, ca_file, insecure_source, ssh_port, node_addresses) -> None:
    """Rehearse the cutover while the sources keep running: copy each VM from a snapshot of its source (removed
    afterwards), start it as test-<name> under a free VMID with its NICs isolated, and wait for its guest agent.
    `migrate run --require-test` then refuses a VM whose last rehearsal did not pass.

    \b
    Example:
      migrate test --wave 1 --bridge vmbr99
      migrate test --wave 1 --vm db-01 --link-down
      migrate test --wave 1 --cleanup
    """
    if not clean and number is None:
        raise UsageError("give the wave to rehearse: --wave N")
    if not clean and bool(bridge) == link_down:
        raise UsageError("give one of --bridge BRIDGE (an isolated bridge on the nodes) and --link-down")
    paths = datastore_paths_of(datastore_paths)
    factory = live_factory(app, source_name, vcenter, user, ca_file, insecure_source, ssh_port, node_addresses)
    if clean:
        for line in cleanup(app.sessions, number, factory):
            click.echo(f"removed {line}", file=app.stdout)
        return
    run = RunOptions(parallel=1, agent_timeout=agent_timeout, convert=convert, datastore_paths=paths,
                     insecure_source=insecure_source)
    result = rehearse_wave(app.sessions, number, RehearsalOptions(bridge, only, run), factory)
    rows = [(vm, "passed", result.test_vms.get(vm, ""), "") for vm in result.passed]
    rows += [(vm, "failed", result.test_vms.get(vm, ""), why) for vm, why in sorted(result.failed.items())]
    render.rows(app.stdout, output_format, HEADERS, rows)
    app.say(f"wave {number}: {counted(len(result.passed), 'VM')} passed, {len(result.failed)} failed; the sources "
            "were not stopped; remove the test VMs with `migrate test --wave "
            f"{number} --cleanup` before the cutover (they hold the VMs' MACs)")
    if result.failed:
        raise StepFailedError(f"{counted(len(result.failed), 'rehearsal')} of wave {number} failed (listed above)")
