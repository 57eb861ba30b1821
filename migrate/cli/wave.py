"""`migrate wave`: group VMs into waves that move together."""

from __future__ import annotations

from collections import Counter

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.errors import UsageError
from migrate.waves.policy import DEFAULT_SHUTDOWN_TIMEOUT, StopPolicy
from migrate.waves.select import DEFAULT_GROUP_ATTRIBUTE, WaveSelection
from migrate.waves.store import create_wave, list_waves, read_wave_csv, set_stop_policy

GIB = 1024**3


@click.group()
def wave() -> None:
    """Create and list waves of VMs."""


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
    click.echo(f"created wave {created.number}{label}: {len(created.members)} VMs{extra}", file=app.stdout)


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
