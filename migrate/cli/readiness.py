"""`migrate readiness`: judge every VM and write the customer's readiness report."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.cli.inventory import source_option
from migrate.cli.mapping import directory_option
from migrate.errors import BlockersFound
from migrate.assessment import ReportFiles, run_readiness
from migrate.reports.rows import VM_COLUMNS, vm_rows
from migrate.words import counted

output_path = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.command()
@source_option
@directory_option
@click.option("--csv", "csv_path", type=output_path, help="One row per VM, for Excel.")
@click.option("--findings-csv", type=output_path, help="One row per finding.")
@click.option("--xlsx", "xlsx_path", type=output_path, help="Both, plus a summary sheet, as one workbook.")
@click.option("--csv-delimiter", type=click.Choice([",", ";"]), default=",", show_default=True,
              help="Use ';' for Excel in locales with a decimal comma.")
@click.option("--fail-on-blockers", is_flag=True, help="Exit with code 3 when any VM is Not ready.")
@click.option("--format", "output_format", type=click.Choice(("text",) + render.FORMATS), default="text",
              show_default=True, help="The summary for people, or one row per VM with the readiness CSV's columns "
              "(table, CSV, JSON).")
@pass_app
def readiness(app: AppContext, source: str | None, directory: Path, csv_path: Path | None, findings_csv: Path | None,
              xlsx_path: Path | None, csv_delimiter: str, fail_on_blockers: bool, output_format: str) -> None:
    """Judge every VM (blockers, warnings, info, each with a remedy) and write the readiness report.

    \b
    Example:
      migrate readiness --csv readiness.csv --findings-csv findings.csv --xlsx readiness.xlsx
    """
    files = ReportFiles(csv_path, findings_csv, xlsx_path, csv_delimiter)
    with app.session() as session:
        outcome = run_readiness(session, source, directory, files)
        session.commit()
    summary = outcome.summary
    if output_format != "text":
        render.rows(app.stdout, output_format, VM_COLUMNS, list(vm_rows(outcome.assessments)))
    else:
        _summary(app.stdout, outcome)
    for path in outcome.written:
        app.say(f"wrote {path}")
    blocked = sum(count for verdict, count in summary.verdicts.items() if str(verdict) == "Not ready")
    if fail_on_blockers and blocked:
        raise BlockersFound(f"{counted(blocked, 'VM')} {'is' if blocked == 1 else 'are'} Not ready: see the report")


def _summary(out, outcome) -> None:
    summary = outcome.summary
    out.write(f"readiness of {outcome.source}: {counted(summary.total, 'VM')} (rules version {summary.rules_version})\n")
    out.write(f"  facts from {summary.source_line}; fully assessed: {summary.assessed_line}\n")
    for verdict, count in summary.shown_verdicts.items():
        out.write(f"  {str(verdict):<22} {count}\n")
    if summary.top_blockers:
        out.write("most frequent blockers:\n")
        for blocker in summary.top_blockers:
            out.write(f"  {blocker.rule_id:<7} {blocker.vms:>4} VMs  {blocker.title}\n")
    if summary.top_unknowns:
        out.write("most frequent missing inputs:\n")
        for unknown in summary.top_unknowns:
            out.write(f"  {unknown.rule_id:<7} {unknown.vms:>4} VMs  {unknown.title}\n")
    _maps(out, summary)


def _maps(out, summary) -> None:
    """The mapping file's gaps, apart from the verdicts: a VM is not less ready because its map is unfinished."""
    if not summary.unmapped:
        out.write("maps: every network and datastore is mapped\n")
        return
    out.write(f"maps: {len(summary.unmapped)} not mapped yet (not in the verdicts; `migrate plan` leaves their VMs out):\n")
    for item in summary.unmapped:
        shown = ", ".join(item.vms[:5]) + (f" and {len(item.vms) - 5} more" if len(item.vms) > 5 else "")
        out.write(f"  {item.name}  {counted(len(item.vms), 'VM')}: {shown}\n")
