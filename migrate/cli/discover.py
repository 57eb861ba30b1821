"""`migrate discover`: harvest a vCenter's inventory into the database."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli import changes as render_changes
from migrate.cli.context import AppContext, pass_app
from migrate.clients.vsphere.connection import DEFAULT_TIMEOUT
from migrate.discovery.rvtools import import_rvtools
from migrate.discovery.vcenter import discover_source
from migrate.errors import UsageError
from migrate.source.store import VcenterAccess, parse_vcenter, vcenter_value
from migrate.words import counted

PASSWORD_ENV = "MIGRATE_VCENTER_PASSWORD"
USER_ENV = "MIGRATE_VCENTER_USER"


@click.command()
@click.option("--source", "source_name", metavar="NAME", envvar="MIGRATE_SOURCE", help="The recorded source "
              "(`migrate source add`); implied when there is one. Env: MIGRATE_SOURCE.")
@click.option("--vcenter", metavar="HOST[:PORT]", help="The vCenter (or ESXi host) to discover, for scripts that "
              "record no source; it is recorded after the first discovery.")
@click.option("--rvtools", "rvtools_path", type=click.Path(exists=True, path_type=Path),
              help="Instead of a vCenter: an RVTools export (.xlsx, the export-all-to-csv folder, or a .zip of either).")
@click.option("--user", envvar=USER_ENV, metavar="USER", help="vCenter user, e.g. administrator@vsphere.local "
              "(read-only is enough). Env: MIGRATE_VCENTER_USER.")
@click.option("--port", type=click.IntRange(1, 65535), help="HTTPS port, when not 443 (or give HOST:PORT).")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False), help="PEM file of the CA to trust for the vCenter.")
@click.option("--thumbprint", metavar="HEX", help="Pin the vCenter's certificate by its SHA-1/SHA-256 fingerprint.")
@click.option("--insecure", is_flag=True, help="Do not verify the vCenter's certificate (lab use only).")
@click.option("--timeout", type=click.FloatRange(1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds to wait for any one answer of the vCenter.")
@pass_app
def discover(app: AppContext, source_name: str | None, vcenter: str | None, rvtools_path: Path | None, user: str | None,
             port: int | None, ca_file: str | None, thumbprint: str | None, insecure: bool, timeout: float) -> None:
    """Harvest a vCenter's inventory (or an RVTools export) into the database and show what changed.

    The password comes from MIGRATE_VCENTER_PASSWORD, else a prompt on a terminal; it is never
    stored or printed.

    \b
    Example:
      export MIGRATE_VCENTER_PASSWORD=...
      migrate discover --source prod-vc
      migrate discover --vcenter vc.example.com --user administrator@vsphere.local
      migrate discover --rvtools customer/RVTools_export_all_2026-11-20.xlsx
    """
    if rvtools_path is not None:
        if vcenter or user or source_name:
            raise UsageError("--rvtools imports an export: leave out --source, --vcenter and --user")
        _import_rvtools(app, rvtools_path)
        return
    if port and not vcenter:
        raise UsageError("--port goes with --vcenter HOST (or give --vcenter HOST:PORT)")
    if vcenter:
        vcenter = vcenter_value(*parse_vcenter(vcenter, port))
    access = VcenterAccess(source=source_name, vcenter=vcenter, user=user, ca_file=ca_file, thumbprint=thumbprint,
                           insecure=insecure, timeout=timeout)
    with app.session() as session, app.progress("discovering VMs", unit="VM") as bar:
        outcome = discover_source(session, access, lambda who, host: vcenter_password(app, who, host), on_vm=lambda: bar.update())
        session.commit()
    result = outcome.unwrap()
    counts = result.inventory.counts()
    click.echo(
        f"discovered {result.source}: {counted(counts['vms'], 'VM')}, {counts['hosts']} hosts, {counts['clusters']} clusters, "
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


def vcenter_password(app: AppContext, user: str, host: str) -> str:
    """MIGRATE_VCENTER_PASSWORD, else a prompt on a terminal; never stored or printed."""
    password = app.env.get(PASSWORD_ENV)
    if password:
        return password
    if not app.interactive:
        raise UsageError(f"no password for {user}: set {PASSWORD_ENV} (stdin is not a terminal, so no prompt)")
    return click.prompt(f"Password for {user} on {host}", hide_input=True, err=True)
