"""`migrate report`: the management report for the customer."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli.context import AppContext, pass_app
from migrate.deliverables.html import write_report
from migrate.words import counted


@click.command()
@click.option("--html", "html_path", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The HTML file to write: one self-contained file that opens offline and prints.")
@click.option("--wave", "number", type=click.IntRange(1), help="Only this wave, for its application owners.")
@click.option("--mappings", "mappings_dir", default="mappings", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Directory of the sources' mapping files.")
@pass_app
def report(app: AppContext, html_path: Path, number: int | None, mappings_dir: Path) -> None:
    """Write the management report: the estate, its readiness, the target, the waves and the runs, with charts.

    \b
    Example:
      migrate report --html report.html
      migrate report --html wave-2.html --wave 2
    """
    with app.session() as session:
        data = write_report(session, html_path, mappings_dir, number)
    app.say(f"wrote {html_path}: {data.scope}, {counted(data.total_vms, 'VM')}")
