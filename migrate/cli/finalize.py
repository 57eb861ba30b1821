"""`migrate finalize`: after the cutover, HA and backups for a wave's migrated VMs on the target."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli import render
from migrate.cli.context import AppContext, pass_app
from migrate.db.base import utcnow
from migrate.deliverables.evidence_xlsx import write_wave_evidence
from migrate.errors import StepFailedError
from migrate.files import require_writable
from migrate.finalize.backup_template import load_backup_template
from migrate.finalize.model import Change, HaSettings
from migrate.finalize.plan import FinalizeOptions
from migrate.finalize.retire import RetireOptions
from migrate.finalize.retire_run import retire_sources as retire_sources_of
from migrate.finalize.retire_run import source_connector
from migrate.finalize.run import FinalizeResult, finalize_wave
from migrate.finalize.target import target_connector
from migrate.words import counted

HEADERS = ("status", "kind", "action", "object", "vms", "detail")
PARAMS_SHOWN = ("state", "max_restart", "max_relocate", "type", "affinity", "resources", "disable", "vmid", "node",
                "storage", "mode", "schedule", "prune-backups", "name")


@click.command("finalize")
@click.option("--wave", "number", required=True, type=click.IntRange(1), help="The wave whose migrated VMs to protect.")
@click.option("--vm", "only", multiple=True, metavar="NAME", help="Only this VM of the wave (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the changes it would make; change nothing.")
@click.option("--backup-job", metavar="ID", help="Add the migrated VMs that no enabled backup job covers to this "
              "job of /cluster/backup (Datacenter → Backup); without it they are only reported.")
@click.option("--backup-job-template", "template_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              metavar="FILE.yaml", help="With --backup-job: create that job from this template (schedule, storage, "
              "retention, mode) when the target has none of that id; docs/execution.md shows one.")
@click.option("--first-backup", is_flag=True, help="Back up now, as its backup job would, each migrated VM that "
              "has no backup on that job's storage yet, and wait for it.")
@click.option("--backup-timeout", type=click.FloatRange(60), default=3600, show_default=True, metavar="SECONDS",
              help="How long one VM's first backup may take.")
@click.option("--evidence", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.xlsx",
              help="Write the wave's evidence workbook here afterwards: per VM the disks checked, downtime, IPs before "
              "and after, HA and backups on the target; the journal; the sign-off fields.")
@click.option("--retire-sources", is_flag=True, help="Instead: retire the sources of the migrated VMs whose target "
              "runs and whose grace period is over: rename them in vCenter with a marker and the date, and note them.")
@click.option("--grace-days", type=click.FloatRange(0), metavar="DAYS",
              help="With --retire-sources: days after a VM's migration before its source may be retired.")
@click.option("--unregister", is_flag=True, help="With --retire-sources: also remove the retired sources from "
              "vCenter's inventory (their files stay); needs --confirm.")
@click.option("--delete", is_flag=True, help="With --retire-sources: also delete the retired sources and their "
              "files (powered off only); needs --confirm.")
@click.option("--confirm", "confirmed", multiple=True, metavar="VM[,VM...]",
              help="The VMs whose sources --unregister or --delete may remove, exactly as --dry-run lists them.")
@click.option("--max-restart", type=click.IntRange(0, 10), default=1, show_default=True,
              help="HA restart attempts on the same node before relocating.")
@click.option("--max-relocate", type=click.IntRange(0, 10), default=1, show_default=True,
              help="HA relocations to another node before giving up.")
@render.format_option
@pass_app
def finalize(app: AppContext, number: int, only: tuple[str, ...], dry_run: bool, backup_job: str | None,
             template_file: Path | None, first_backup: bool, backup_timeout: float, evidence: Path | None, retire_sources: bool,
             grace_days: float | None, unregister: bool, delete: bool, confirmed: tuple[str, ...], max_restart: int,
             max_relocate: int, output_format: str) -> None:
    """Make a wave's migrated VMs HA resources (on shared storage), carry DRS rules over as HA rules, and put
    them in a backup job (and back them up once now); or, later, retire their sources; safe to run again.

    Prints every change (planned with --dry-run, else done or failed) and every VM or rule left as it is, with the
    reason: a VM on local storage, one already HA-managed, a DRS rule waiting for its other VMs, a source in its
    grace period. Only VMs this toolkit migrated are ever touched. MIGRATE_PVE_TOKEN_SECRET holds the target's
    token secret, MIGRATE_VCENTER_PASSWORD the vCenter's (for --retire-sources).

    \b
    Example:
      migrate finalize --wave 1 --dry-run
      migrate finalize --wave 1 --backup-job daily-pbs --first-backup --evidence wave-1-evidence.xlsx
      migrate finalize --wave 2 --backup-job migrated --backup-job-template backup-job.yaml
      migrate finalize --wave 1 --retire-sources --grace-days 14 --unregister --confirm web-01,web-02
    """
    if template_file is not None and backup_job is None:
        raise click.UsageError("--backup-job-template needs --backup-job ID: the id of the job to create")
    template = load_backup_template(template_file) if template_file is not None else None
    options = FinalizeOptions(only=only, dry_run=dry_run, backup_job=backup_job, backup_job_template=template,
                              first_backup=first_backup, backup_timeout=backup_timeout,
                              ha=HaSettings(max_restart=max_restart, max_relocate=max_relocate))
    if retire_sources:
        retire = _retire_options(grace_days, unregister, delete, confirmed,
                                 bool(backup_job or template or first_backup or evidence))
        result = retire_sources_of(app.sessions, number, options, retire, target_connector(app.env),
                                   source_connector(app.env))
    else:
        if evidence is not None:
            require_writable(evidence)
        result = finalize_wave(app.sessions, number, options, target_connector(app.env))
    render.rows(app.stdout, output_format, HEADERS, _rows(result, dry_run))
    if evidence is not None and not result.failed:
        write_wave_evidence(app.sessions, number, evidence, target_connector(app.env))
        app.say(f"evidence: {evidence}")
    _summary(app, number, result, dry_run)


def _retire_options(grace_days: float | None, unregister: bool, delete: bool, confirmed: tuple[str, ...],
                    other: bool) -> RetireOptions:
    if grace_days is None:
        raise click.UsageError("give the grace period with --grace-days DAYS (after each VM's migration)")
    if unregister and delete:
        raise click.UsageError("give one of --unregister and --delete")
    if other:
        raise click.UsageError("--retire-sources runs on its own: finalize HA and backups (and the evidence) first")
    names = tuple(name for value in confirmed for name in value.split(",") if name)
    return RetireOptions(grace_days, utcnow(), "unregister" if unregister else "delete" if delete else None, names)


def _rows(result: FinalizeResult, dry_run: bool) -> list[list[str]]:
    rows = []
    for change in result.plan.changes:
        applied = change in result.applied
        status = "planned" if dry_run else "done" if applied else "failed" if change.object_id in result.failed \
            else "planned"
        archive = result.details.get(change.object_id, {}).get("archive")
        failure = None if applied else result.failed.get(change.object_id)
        rows.append([status, change.kind, change.action, change.object_id, ",".join(change.vms),
                     failure or (f"archive={archive}" if archive else _params(change))])
    rows += [["left alone", note.kind, note.action, note.object_id, ",".join(note.vms), note.reason]
             for note in result.plan.notes]
    return rows


def _params(change: Change) -> str:
    return " ".join(f"{key}={change.params[key]}" for key in PARAMS_SHOWN if key in change.params)


def _summary(app: AppContext, number: int, result: FinalizeResult, dry_run: bool) -> None:
    changes = result.plan.changes
    if dry_run:
        app.say(f"wave {number}: {counted(len(changes), 'change')} planned; run it without --dry-run to make them")
        return
    app.say(f"wave {number}: {counted(len(result.applied), 'change')} made, {len(result.failed)} failed"
            + ("" if changes else " (nothing to change)"))
    if result.failed:
        raise StepFailedError(f"{counted(len(result.failed), 'change')} of wave {number}'s finalize failed (listed "
                              f"above): fix the cause and run `migrate finalize --wave {number}` again")
