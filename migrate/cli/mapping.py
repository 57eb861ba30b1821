"""`migrate mapping` and `migrate map`: the network and storage map of a source, and one VM's Proxmox config."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.cli.inventory import source_option
from migrate.errors import MigrateError
from migrate.mapping.service import DEFAULT_DIRECTORY, check_source_map_of, init_source_map
from migrate.planning.preview import config_onto
from migrate.words import counted

directory_option = click.option(
    "--mappings", "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DIRECTORY,
    show_default=True, help="Where the map files live (mappings/<source>.yaml).",
)


class MappingIncomplete(MigrateError):
    """`mapping check` found unmapped names or invalid entries."""


@click.group()
def mapping() -> None:
    """Write and check the network and storage map of a source, and show the Proxmox config of a VM."""


@mapping.command()
@source_option
@directory_option
@click.option("--force", is_flag=True, help="Rewrite an existing file, keeping the targets already set.")
@pass_app
def init(app: AppContext, source: str | None, directory: Path, force: bool) -> None:
    """Write mappings/<source>.yaml: every portgroup and datastore, TODO where no target is known.

    \b
    Example:
      migrate mapping init && $EDITOR mappings/vc.example.com.yaml
    """
    with app.session() as session:
        path = init_source_map(session, source, directory, overwrite=force)
    click.echo(str(path), file=app.stdout)
    app.say(f"wrote {path}: replace every TODO, then run `migrate mapping check`")


@mapping.command()
@source_option
@directory_option
@pass_app
def check(app: AppContext, source: str | None, directory: Path) -> None:
    """List unmapped networks and datastores and invalid entries of the map file.

    \b
    Example:
      migrate mapping check
    """
    with app.session() as session:
        path, result = check_source_map_of(session, source, directory)
    out = app.stdout
    for problem in result.problems:
        out.write(f"invalid: {render.printable(problem)}\n")
    for name, vms in result.unmapped_networks.items():
        out.write(f"unmapped network: {render.printable(name)} (used by {counted(len(vms), 'VM')})\n")
    for name, vms in result.unmapped_datastores.items():
        out.write(f"unmapped datastore: {render.printable(name)} (used by {counted(len(vms), 'VM')})\n")
    for entry in result.unknown_entries:
        out.write(f"unknown: {render.printable(entry)}\n")
    if not result.ok:
        raise MappingIncomplete(f"{path} is incomplete: map the names above, then run `migrate mapping check` again")
    app.say(f"{path}: every network and datastore the VMs use is mapped")


@click.group("map", hidden=True)
def map_group() -> None:
    """The old name of `migrate mapping show` (kept for scripts that use it)."""


@mapping.command("show")
@click.argument("vm")
@source_option
@directory_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable parameters and the `qm create` line, or JSON.")
@click.option("--target", metavar="NAME", help="Map as a plan onto this (discovered) target would.")
@pass_app
def map_show(app: AppContext, vm: str, source: str | None, directory: Path, output_format: str,
             target: str | None) -> None:
    """Show the Proxmox config for one VM: API parameters and the equivalent `qm create` line; with --target as a
    plan onto that target maps it (its CPU models, and the virtio-win ISO it names for Windows conversions).

    \b
    Example:
      migrate mapping show sql-prd-01
      migrate mapping show sql-prd-01 --target pve-prod
    """
    with app.session() as session:
        config = config_onto(session, vm, source, directory, target)
    if output_format == "json":
        variant = config.virtio_variant
        render.json_document(app.stdout, {
            "vm": config.source_name, "name": config.name, "params": config.params, "notes": list(config.notes),
            "qm_create": config.qm_create(),
            "virtio_variant": variant.params if variant else None,
            "conversion": config.conversion,
            "unconverted": config.unconverted.params if config.unconverted else None,
        })
        return
    out = app.stdout
    out.write(f"# {render.printable(config.source_name)} -> {config.name}\n")
    for key, value in config.params.items():
        out.write(f"{key}: {render.printable(value)}\n")
    for note in config.notes:
        out.write(f"# note: {render.printable(note)}\n")
    if config.conversion:
        out.write(f"# conversion: {render.printable(_converted(config.conversion))}\n")
    out.write(render.printable(config.qm_create()) + "\n")
    if config.virtio_variant is not None:
        out.write("# once the VirtIO drivers are installed:\n")
        out.write(render.printable(config.virtio_variant.qm_create()) + "\n")
    if config.unconverted is not None:
        out.write("# if a run does not convert it (--no-convert), it starts on its safe config instead:\n")
        out.write(render.printable(config.unconverted.qm_create()) + "\n")


map_group.add_command(map_show, "show")


def _converted(conversion: dict) -> str:
    if not conversion["convert"]:
        return conversion["changes"]
    return f"converted on the node before its first start (virt-v2v-in-place): {conversion['changes']}"
