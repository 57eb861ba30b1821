"""`migrate inventory`: what discovery found."""

from __future__ import annotations

import click

from migrate.cli import changes as render_changes
from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.inventory import views
from migrate.inventory.store import find_vm, latest_changes, list_vms

source_option = click.option("--source", metavar="NAME", envvar="MIGRATE_SOURCE",
                             help="The source, when the inventory holds several. Env: MIGRATE_SOURCE.")


@click.group()
def inventory() -> None:
    """List and inspect the discovered inventory."""


@inventory.command("list")
@source_option
@click.option("--include-removed", is_flag=True, help="Also list VMs that the last discovery no longer found.")
@render.format_option
@pass_app
def list_command(app: AppContext, source: str | None, include_removed: bool, output_format: str) -> None:
    """List the VMs of the inventory, one line each.

    \b
    Example:
      migrate inventory list --format csv > vms.csv
    """
    with app.session() as session:
        records = list_vms(session, source, include_removed)
        if output_format == "json":
            render.json_document(app.stdout, [views.vm_document(r) for r in records])
            return
        rows = [views.vm_row(r) for r in records]
    writer = render.table if output_format == "table" else render.csv_rows
    writer(app.stdout, views.VM_ROW_HEADERS, rows)


@inventory.command()
@source_option
@render.format_option
@pass_app
def summary(app: AppContext, source: str | None, output_format: str) -> None:
    """Summarise the inventory per datacenter and cluster: VMs, vCPUs, memory and storage.

    \b
    Example:
      migrate inventory summary
    """
    with app.session() as session:
        rows, total = views.summary_rows(list_vms(session, source))
    if output_format == "json":  # the total apart from the clusters' rows, so that no row is a fake cluster
        render.json_document(app.stdout, {"clusters": [dict(zip(views.SUMMARY_HEADERS, row)) for row in rows],
                                          "total": dict(zip(views.SUMMARY_HEADERS[2:], total))})
    elif output_format == "csv":  # a spreadsheet adds the rows up itself
        render.csv_rows(app.stdout, views.SUMMARY_HEADERS, rows)
    else:
        render.table(app.stdout, views.SUMMARY_HEADERS, rows + [("(all)", "", *total)])


@inventory.command()
@click.argument("vm")
@source_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable text, or the VM's full JSON document.")
@pass_app
def show(app: AppContext, vm: str, source: str | None, output_format: str) -> None:
    """Show everything discovered about one VM (by name, moref or instance UUID).

    \b
    Example:
      migrate inventory show "sql-prod-01" --format json
    """
    with app.session() as session:
        document = views.vm_document(find_vm(session, vm, source))
    if output_format == "json":
        render.json_document(app.stdout, document)
    else:
        _write_vm_text(app.stdout, document)


@inventory.command()
@source_option
@click.option("--format", "output_format", type=click.Choice(("text",) + render.FORMATS), default="text",
              show_default=True, help="The summary for people, or one row per VM added or removed and per field "
              "changed (table, CSV, JSON).")
@pass_app
def diff(app: AppContext, source: str | None, output_format: str) -> None:
    """Show what changed between the last two discoveries of a source.

    \b
    Example:
      migrate inventory diff --source vc.example.com
      migrate inventory diff --format csv > changes.csv
    """
    with app.session() as session:
        changes = latest_changes(session, source)
    if output_format == "text":
        render_changes.summary(app.stdout, changes, limit=None)
    else:
        render.rows(app.stdout, output_format, render_changes.ROW_HEADERS, render_changes.rows(changes))


_LIST_SECTIONS = ("disks", "controllers", "nics", "devices", "snapshots")


def _write_vm_text(stream, document: dict) -> None:
    """The VM's scalar facts as `field: value` lines, then one line per disk, NIC, device and snapshot."""
    width = max(len(k) for k in document)
    for key, value in document.items():
        if key in _LIST_SECTIONS:
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        stream.write(f"{key.ljust(width)}  {render.printable(value)}\n")
    for section in _LIST_SECTIONS:
        items = document.get(section) or []
        stream.write(f"{section} ({len(items)}):\n")
        for item in items:
            shown = ", ".join(f"{k}={render.printable(v)}" for k, v in item.items() if v not in (None, [], ""))
            stream.write(f"  - {shown}\n")
