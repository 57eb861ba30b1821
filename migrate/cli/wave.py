"""`migrate wave`: group VMs into waves that move together."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.errors import UsageError
from migrate.files import replace_when_done
from migrate.waves.edit import add_vms, delete_wave, move_vms, remove_vms, wave_members_with_migration
from migrate.waves.policy import DEFAULT_SHUTDOWN_TIMEOUT, StopPolicy
from migrate.waves.select import DEFAULT_GROUP_ATTRIBUTE, WaveSelection
from migrate.waves.sheet import apply_sheet, export_rows, read_sheet, write_sheet
from migrate.waves.store import create_wave, list_waves, read_wave_csv, set_stop_policy
from migrate.words import counted

GIB = 1024**3


@click.group()
def wave() -> None:
    """Create, change, export and import waves of VMs."""


def _pairs(option: str, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        key, sep, wanted = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {value!r}: give it as NAME=VALUE, e.g. {option} app=crm")
        pairs.append((key.strip(), wanted.strip()))
    return tuple(pairs)


@wave.command()
@click.argument("number", type=click.IntRange(1))
@click.option("--name", help="A name for the wave, e.g. \"Web tier\".")
@click.option("--folder", multiple=True, metavar="PATH", help="VMs in this vCenter folder or below (/DC1/vm/web).")
@click.option("--tag", multiple=True, metavar="CATEGORY=VALUE", help="VMs tagged so (matched against custom attributes).")
@click.option("--attribute", multiple=True, metavar="NAME=VALUE", help="VMs with this custom attribute value.")
@click.option("--cluster", multiple=True, metavar="NAME", help="VMs of this vSphere cluster.")
@click.option("--pattern", multiple=True, metavar="GLOB", help="VMs whose name matches (case-insensitive), e.g. 'web-*'.")
@click.option("--vm", "vms", multiple=True, metavar="NAME", help="This VM (name, moref or instance UUID).")
@click.option("--from-csv", type=click.Path(dir_okay=False), help="VMs named in the `vm` column of a CSV file.")
@click.option("--group-by", default=DEFAULT_GROUP_ATTRIBUTE, show_default=True, metavar="ATTRIBUTE",
              help="Custom attribute naming a VM's application; an application's VMs join the wave together.")
@click.option("--shutdown-timeout", type=click.IntRange(1), default=DEFAULT_SHUTDOWN_TIMEOUT, show_default=True,
              metavar="SECONDS", help="How long `migrate run` waits for a source's guest shutdown.")
@click.option("--allow-power-off", is_flag=True,
              help="Power a source off hard when its guest does not shut down in time (default: it fails and stays on).")
@pass_app
def create(app: AppContext, number: int, name: str | None, folder: tuple[str, ...], tag: tuple[str, ...],
           attribute: tuple[str, ...], cluster: tuple[str, ...], pattern: tuple[str, ...], vms: tuple[str, ...],
           from_csv: str | None, group_by: str, shutdown_timeout: int, allow_power_off: bool) -> None:
    """Create wave NUMBER from the VMs matching any of the criteria, with their application groups.

    \b
    Example:
      migrate wave create 1 --name "Web tier" --folder /DC1/vm/web --tag tier=web --vm db-01
      migrate wave create 2 --from-csv wave2.csv --allow-power-off
    """
    names = vms + (read_wave_csv(from_csv) if from_csv else ())
    selection = WaveSelection(folders=folder, tags=_pairs("--tag", tag), attributes=_pairs("--attribute", attribute),
                              clusters=cluster, patterns=pattern, names=names, group_attribute=group_by)
    with app.session() as session:
        created = create_wave(session, number, name, selection, StopPolicy(shutdown_timeout, allow_power_off))
        reasons = Counter(member.reason for member in created.members)
        session.commit()
    grouped = sum(count for reason, count in reasons.items() if reason != "selected")
    label = f" ({created.name})" if created.name else ""
    extra = f", {grouped} pulled in by their application group" if grouped else ""
    click.echo(f"created wave {created.number}{label}: {counted(len(created.members), 'VM')}{extra}", file=app.stdout)


@wave.command("list")
@render.format_option
@pass_app
def list_command(app: AppContext, output_format: str) -> None:
    """List the waves with their VM count, memory, disk sizes and bytes to move (estimated VMs counted).

    \b
    Example:
      migrate wave list
    """
    headers = ("wave", "name", "vms", "memory_gib", "provisioned_gib", "to_move_gib", "estimated_vms",
               "shutdown_timeout", "power_off")
    with app.session() as session:
        rows = [(w.number, w.name or "", w.vms, round(w.memory_mib / 1024, 1), round(w.provisioned_bytes / GIB, 1),
                 round(w.to_move_bytes / GIB, 1), w.estimated_vms, w.policy.shutdown_timeout,
                 "allowed" if w.policy.allow_power_off else "no") for w in list_waves(session)]
    render.rows(app.stdout, output_format, headers, rows)


@wave.command()
@click.argument("number", type=click.IntRange(1))
@click.option("--shutdown-timeout", type=click.IntRange(1), metavar="SECONDS",
              help="How long `migrate run` waits for a source's guest shutdown.")
@click.option("--allow-power-off/--no-power-off", default=None,
              help="Whether a source whose guest does not shut down in time is powered off hard.")
@pass_app
def policy(app: AppContext, number: int, shutdown_timeout: int | None, allow_power_off: bool | None) -> None:
    """Show or change how wave NUMBER's sources are stopped; the next `migrate run` follows it.

    \b
    Example:
      migrate wave policy 1 --shutdown-timeout 600 --allow-power-off
    """
    with app.session() as session:
        current = set_stop_policy(session, number, shutdown_timeout, allow_power_off)
        session.commit()
    click.echo(f"wave {number}: {current.describe()}", file=app.stdout)


_mappings_option = click.option(
    "--mappings", "mappings_dir", default="mappings", show_default=True, type=click.Path(file_okay=False),
    help="Directory of the sources' mapping files (<source>.yaml), for the Proxmox names.")


@wave.command()
@click.argument("number", type=click.IntRange(1))
@render.format_option
@pass_app
def show(app: AppContext, number: int, output_format: str) -> None:
    """Show the VMs of wave NUMBER with what was decided for them, in cutover order.

    \b
    Example:
      migrate wave show 1
    """
    headers = ("vm", "instance_uuid", "reason", "proxmox_name", "node", "order", "owner", "notes", "migration")
    with app.session() as session:
        rows = [(m.vm, m.instance_uuid or "", m.reason, m.proxmox_name or "", m.node or "",
                 "" if m.cutover_order is None else m.cutover_order, m.owner or "", m.notes or "", migration or "")
                for m, migration in wave_members_with_migration(session, number)]
    render.rows(app.stdout, output_format, headers, rows)


@wave.command()
@click.argument("number", type=click.IntRange(1))
@click.argument("vms", nargs=-1, required=True, metavar="VM...")
@pass_app
def add(app: AppContext, number: int, vms: tuple[str, ...]) -> None:
    """Add VMs (names, morefs or instance UUIDs) to wave NUMBER; a VM of another wave is refused.

    \b
    Example:
      migrate wave add 1 db-01 db-02
    """
    with app.session() as session:
        added = add_vms(session, number, vms)
        session.commit()
    app.say(f"wave {number}: {_count(len(added), 'VM')} added" + (f" ({', '.join(added)})" if added else ""))


@wave.command()
@click.argument("number", type=click.IntRange(1))
@click.argument("vms", nargs=-1, required=True, metavar="VM...")
@pass_app
def remove(app: AppContext, number: int, vms: tuple[str, ...]) -> None:
    """Take VMs out of wave NUMBER; a VM that began migrating stays until it is rolled back.

    \b
    Example:
      migrate wave remove 1 db-02
    """
    with app.session() as session:
        removed = remove_vms(session, number, vms)
        session.commit()
    app.say(f"wave {number}: {_count(len(removed), 'VM')} removed ({', '.join(removed)})")


@wave.command()
@click.argument("vms", nargs=-1, required=True, metavar="VM...")
@click.option("--to", "to", required=True, type=click.IntRange(1), metavar="WAVE", help="The wave to move them to.")
@pass_app
def move(app: AppContext, vms: tuple[str, ...], to: int) -> None:
    """Move VMs to another wave, keeping their name, node, order, owner and notes.

    \b
    Example:
      migrate wave move db-02 --to 2
    """
    with app.session() as session:
        moved = move_vms(session, vms, to)
        session.commit()
    for name, old in moved:
        app.say(f"moved {name} from wave {old} to wave {to}")
    if not moved:
        app.say(f"nothing to move: already in wave {to}")


@wave.command()
@click.argument("number", type=click.IntRange(1))
@pass_app
def delete(app: AppContext, number: int) -> None:
    """Delete wave NUMBER and its plans (its VMs return to no wave); refused once a VM of it began migrating.

    \b
    Example:
      migrate wave delete 3
    """
    with app.session() as session:
        count = delete_wave(session, number)
        session.commit()
    app.say(f"deleted wave {number} ({_count(count, 'VM')} now in no wave)")


@wave.command("export")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="The CSV file to write (- for stdout).")
@_mappings_option
@pass_app
def export_command(app: AppContext, csv_path: str, mappings_dir: str) -> None:
    """Write every VM with its wave, Proxmox name, node, order, owner and notes, for the customer to edit.

    \b
    Example:
      migrate wave export --csv waves.csv
    """
    with app.session() as session:
        rows = export_rows(session, Path(mappings_dir))
    text = write_sheet(rows)
    if csv_path == "-":
        app.stdout.write(text)
        return
    with replace_when_done(csv_path) as scratch:
        scratch.write_text(text, encoding="utf-8-sig", newline="")
    app.say(f"wrote {csv_path}: {_count(len(rows), 'VM')}, {_count(sum(1 for r in rows if r['wave']), 'VM')} in waves")


@wave.command("import")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="The edited CSV file of `wave export`.")
@click.option("--yes", is_flag=True, help="Apply the changes without asking.")
@click.option("--dry-run", is_flag=True, help="Show the changes; apply nothing.")
@_mappings_option
@render.format_option
@pass_app
def import_command(app: AppContext, csv_path: str, yes: bool, dry_run: bool, mappings_dir: str, output_format: str) -> None:
    """Apply the customer's edits of a `wave export` file, after showing them; a bad row refuses the whole file.

    A VM whose row was deleted leaves its wave. Unknown VMs, a VM on two rows, a Proxmox name given twice and a
    change to a VM that began migrating are refused, naming the row.

    \b
    Example:
      migrate wave import --csv waves.csv
    """
    with app.session() as session:
        changes = read_sheet(csv_path, session, Path(mappings_dir))
        render.rows(app.stdout, output_format, ("vm", "field", "old", "new"),
                    [(c.vm, c.field, c.old, c.new) for c in changes.changes])
        if not changes.changes:
            app.say(f"{csv_path}: no changes")
            return
        if dry_run:
            app.say(f"{csv_path}: {_count(len(changes.changes), 'change')} shown, none applied (--dry-run)")
            return
        if not yes:
            if not app.interactive:
                raise UsageError(f"{_count(len(changes.changes), 'change')} shown above: add --yes to apply them")
            click.confirm(f"apply these {_count(len(changes.changes), 'change')}?", abort=True, err=True)
        apply_sheet(session, changes)
        session.commit()
    app.say(f"{csv_path}: {_count(len(changes.changes), 'change')} applied")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
