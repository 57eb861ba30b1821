"""`migrate discover`: harvest a vCenter's inventory into the database."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli import changes as render_changes
from migrate.cli.context import AppContext, pass_app
from migrate.clients.vsphere.connection import DEFAULT_TIMEOUT, VcenterEndpoint
from migrate.discovery.rvtools import import_rvtools
from migrate.discovery.vcenter import discover_vcenter
from migrate.errors import UsageError

PASSWORD_ENV = "MIGRATE_VCENTER_PASSWORD"


@click.command()
@click.option("--vcenter", metavar="HOST[:PORT]", help="The vCenter (or ESXi host) to discover.")
@click.option("--rvtools", "rvtools_path", type=click.Path(exists=True, path_type=Path),
              help="Instead of a vCenter: an RVTools export (.xlsx, the export-all-to-csv folder, or a .zip of either).")
@click.option("--user", metavar="USER", help="vCenter user, e.g. administrator@vsphere.local (read-only is enough).")
@click.option("--port", type=click.IntRange(1, 65535), help="HTTPS port, when not 443 (or give HOST:PORT).")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False), help="PEM file of the CA to trust for the vCenter.")
@click.option("--thumbprint", metavar="HEX", help="Pin the vCenter's certificate by its SHA-1/SHA-256 fingerprint.")
@click.option("--insecure", is_flag=True, help="Do not verify the vCenter's certificate (lab use only).")
@click.option("--timeout", type=click.FloatRange(1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds to wait for any one answer of the vCenter.")
@pass_app
def discover(app: AppContext, vcenter: str | None, rvtools_path: Path | None, user: str | None, port: int | None,
             ca_file: str | None, thumbprint: str | None, insecure: bool, timeout: float) -> None:
    """Harvest a vCenter's inventory (or an RVTools export) into the database and show what changed.

    The password comes from MIGRATE_VCENTER_PASSWORD, else a prompt on a terminal; it is never
    stored or printed.

    \b
    Example:
      export MIGRATE_VCENTER_PASSWORD=...
      migrate discover --vcenter vc.example.com --user administrator@vsphere.local
      migrate discover --rvtools customer/RVTools_export_all_2026-11-20.xlsx
    """
    if rvtools_path is not None:
        if vcenter or user:
            raise UsageError("--rvtools imports an export: leave out --vcenter and --user")
        _import_rvtools(app, rvtools_path)
        return
    endpoint = _endpoint(app, vcenter, user, port, ca_file, thumbprint, insecure, timeout)
    with app.session() as session, app.progress("discovering VMs", unit="VM") as bar:
        outcome = discover_vcenter(session, endpoint, on_vm=lambda: bar.update())
        session.commit()
    result = outcome.unwrap()
    counts = result.inventory.counts()
    click.echo(
        f"discovered {endpoint.name}: {counts['vms']} VMs, {counts['hosts']} hosts, {counts['clusters']} clusters, "
        f"{counts['datastores']} datastores, {counts['networks']} networks in {result.seconds:.1f} s "
        f"({result.round_trips} round trips)",
        file=app.stdout,
    )
    render_changes.summary(app.stdout, result.changes)


def _import_rvtools(app: AppContext, path: Path) -> None:
    with app.session() as session:
        changes = import_rvtools(session, path, progress=lambda tab: app.say(f"reading {tab}"), warn=app.warn)
        session.commit()
    click.echo(f"imported {path.name} as a discovery of {changes.source}", file=app.stdout)
    render_changes.summary(app.stdout, changes)


def _endpoint(app: AppContext, vcenter: str | None, user: str | None, port: int | None, ca_file: str | None,
              thumbprint: str | None, insecure: bool, timeout: float) -> VcenterEndpoint:
    if not vcenter:
        raise UsageError("name the vCenter to discover with --vcenter HOST")
    if not user:
        raise UsageError("name the vCenter user with --user, e.g. --user administrator@vsphere.local")
    if sum(bool(x) for x in (ca_file, thumbprint, insecure)) > 1:
        raise UsageError("choose one of --ca-file, --thumbprint and --insecure")
    host, port = _host_and_port(vcenter, port)
    return VcenterEndpoint(host=host, port=port, user=user, password=_password(app, user, host),
                           ca_file=ca_file, thumbprint=thumbprint, insecure=insecure, timeout=timeout)


def _host_and_port(vcenter: str, port: int | None) -> tuple[str, int]:
    host = vcenter.removeprefix("https://").split("/", 1)[0]
    if host.count(":") == 1:
        host, _, given = host.partition(":")
        if not given.isdigit():
            raise UsageError(f"--vcenter {vcenter!r}: the port must be a number")
        if port and port != int(given):
            raise UsageError(f"--vcenter {vcenter!r} and --port {port} disagree")
        port = int(given)
    host = host.strip("[]")
    if not host:
        raise UsageError(f"--vcenter {vcenter!r} names no host")
    return host, port or 443


def _password(app: AppContext, user: str, host: str) -> str:
    password = app.env.get(PASSWORD_ENV)
    if password:
        return password
    if not app.interactive:
        raise UsageError(f"no password for {user}: set {PASSWORD_ENV} (stdin is not a terminal, so no prompt)")
    return click.prompt(f"Password for {user} on {host}", hide_input=True, err=True)
