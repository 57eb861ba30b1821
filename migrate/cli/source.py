"""`migrate source`: the vCenters VMs move from, recorded once with how to reach them (never the password)."""

from __future__ import annotations

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.cli.discover import PASSWORD_ENV, USER_ENV, vcenter_password
from migrate.source.check import check_source
from migrate.source.store import VcenterAccess, add_source, list_sources, set_source

_HEADERS = ("source", "vcenter", "user", "trust", "discoveries")


@click.group()
def source() -> None:
    """Record, list and check the source vCenters."""


def _connection_options(command):
    for option in reversed([
        click.option("--user", envvar=USER_ENV, metavar="USER",
                     help="vCenter user, e.g. administrator@vsphere.local. Env: MIGRATE_VCENTER_USER."),
        click.option("--ca-file", type=click.Path(exists=True, dir_okay=False),
                     help="PEM file of the CA to trust for the vCenter."),
        click.option("--thumbprint", metavar="HEX", help="Pin the vCenter's certificate by its SHA-1/SHA-256 fingerprint."),
        click.option("--insecure", is_flag=True, help="Do not verify the vCenter's certificate (lab use only)."),
    ]):
        command = option(command)
    return command


@source.command()
@click.argument("name")
@click.option("--vcenter", required=True, metavar="HOST[:PORT]", help="The vCenter (or ESXi host).")
@_connection_options
@pass_app
def add(app: AppContext, name: str, vcenter: str, user: str | None, ca_file: str | None, thumbprint: str | None,
        insecure: bool) -> None:
    """Record source NAME: its vCenter, user and how its certificate is trusted; the password is never stored.

    A source made by an RVTools import gains the connection; the mapping file stays mappings/NAME.yaml.

    \b
    Example:
      migrate source add prod-vc --vcenter vc.example.com --user administrator@vsphere.local --ca-file vc-ca.pem
    """
    access = VcenterAccess(vcenter=vcenter, user=user, ca_file=ca_file, thumbprint=thumbprint, insecure=insecure)
    with app.session() as session:
        added = add_source(session, name, access)
        session.commit()
        row = _row(added)
    click.echo(f"added source {row[0]}: {row[1]} as {row[2] or '(no user yet)'}, certificate: {row[3]}", file=app.stdout)
    app.say(f"next: export {PASSWORD_ENV}=...; migrate source check {name}; migrate discover --source {name}")


@source.command("set")
@click.argument("name")
@click.option("--vcenter", metavar="HOST[:PORT]", help="The vCenter (or ESXi host).")
@_connection_options
@pass_app
def set_command(app: AppContext, name: str, vcenter: str | None, user: str | None, ca_file: str | None,
                thumbprint: str | None, insecure: bool) -> None:
    """Change what is given of source NAME's connection (a new way to trust the certificate replaces the old).

    \b
    Example:
      migrate source set prod-vc --user svc-migrate@vsphere.local
    """
    access = VcenterAccess(vcenter=vcenter, user=user, ca_file=ca_file, thumbprint=thumbprint, insecure=insecure)
    with app.session() as session:
        changed = set_source(session, name, access)
        session.commit()
        row = _row(changed)
    click.echo(f"source {row[0]}: {row[1]} as {row[2] or '(no user yet)'}, certificate: {row[3]}", file=app.stdout)


@source.command("list")
@render.format_option
@pass_app
def list_command(app: AppContext, output_format: str) -> None:
    """List the sources with their vCenter, user, certificate trust and number of discoveries.

    \b
    Example:
      migrate source list
    """
    with app.session() as session:
        rows = [_row(s) + (len(s.runs),) for s in list_sources(session)]
    render.rows(app.stdout, output_format, _HEADERS, rows)


@source.command()
@click.argument("name", required=False)
@pass_app
def check(app: AppContext, name: str | None) -> None:
    """Log in to the source's vCenter as discover and run will, and show what answered.

    \b
    Example:
      MIGRATE_VCENTER_PASSWORD=... migrate source check prod-vc
    """
    with app.session() as session:
        result = check_source(session, name, lambda who, host: vcenter_password(app, who, host))
    click.echo(f"{result.source}: logged in to {result.vcenter} as {result.user}: {result.product} "
               f"(API {result.api_version}); certificate: {result.trust}", file=app.stdout)


def _row(record) -> tuple[str, str, str, str]:
    vcenter = "" if not record.vcenter_host else (
        record.vcenter_host if record.vcenter_port in (None, 443) else f"{record.vcenter_host}:{record.vcenter_port}")
    trust = ("" if not record.vcenter_host else "not verified (--insecure)" if record.insecure
             else "thumbprint" if record.thumbprint else f"CA file {record.ca_file}" if record.ca_file
             else "system CAs")
    return record.name, vcenter, record.vcenter_user or "", trust
