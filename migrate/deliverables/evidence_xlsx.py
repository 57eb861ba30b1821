"""The evidence workbook: VMs (one row each, what was done and checked), Journal (who ran what and when) and
Sign-off (the fields the customer and the consultant fill in), laid out as the readiness workbook is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import xlsxwriter
from sqlalchemy.orm import Session, sessionmaker

from migrate import __version__
from migrate.clients.proxmox import PveClient
from migrate.db.plan_models import Target
from migrate.deliverables.evidence import Evidence, gather_evidence
from migrate.files import replace_when_done
from migrate.reports.xlsx_layout import Column, Formats, fit_columns, print_setup, write_table

# XlsxWriter converts nothing: a VM named `=HYPERLINK(...)` stays text.
_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

VM_COLUMNS = {
    "vm": Column("VM"), "status": Column("Migration"), "vmid": Column("VMID", "int"), "node": Column("Node"),
    "started": Column("Started (UTC)"), "finished": Column("Finished (UTC)"),
    "downtime_seconds": Column("Downtime (s)", "int"), "disks_copied": Column("Disks copied", "int"),
    "disks_checked": Column("Disks checked (how)", "lines"), "agent": Column("Guest agent at first boot"),
    "ips_before": Column("IPs before (vSphere)"), "ips_after": Column("IPs after (guest agent)"),
    "ips_missing": Column("Static IPs missing"), "ha_resource": Column("HA resource"), "ha_rules": Column("HA rules"),
    "backup_jobs": Column("Backup jobs"), "last_backup": Column("Newest backup"),
    "first_backup": Column("First backup (finalize)"),
}
JOURNAL_COLUMNS = {
    "started": Column("Started (UTC)", "date"), "finished": Column("Finished (UTC)", "date"), "run": Column("Run", "int"),
    "who": Column("Who (host:process)"), "vm": Column("VM"), "action": Column("Action"), "item": Column("Item"),
    "status": Column("Status"), "error": Column("Error"),
}
SIGN_OFF = ("Customer", "Application owner", "Accepted by (name, role)", "Date", "Signature",
            "Consultant (name, company)", "Date", "Signature", "Reservations")


def write_wave_evidence(sessions: sessionmaker[Session], wave: int, path: str | Path,
                        connect_target: Callable[[Target], PveClient]) -> Evidence:
    """Gather the wave's evidence and write it as an XLSX workbook at `path` (replaced only when complete)."""
    evidence = gather_evidence(sessions, wave, connect_target)
    write_evidence_xlsx(evidence, path)
    return evidence


def write_evidence_xlsx(evidence: Evidence, path: str | Path, generated_at: datetime | None = None) -> None:
    """Write `evidence` as the workbook at `path`, replaced only when complete."""
    generated_at = (generated_at or datetime.now(UTC)).astimezone(UTC)
    with replace_when_done(path) as scratch:
        workbook = xlsxwriter.Workbook(str(scratch), _OPTIONS)
        workbook.set_properties({"title": f"Wave {evidence.wave}: migration evidence", "comments":
                                 f"migrate {__version__}, {generated_at:%Y-%m-%d %H:%M} UTC"})
        formats = Formats(workbook)
        _table(workbook, formats, "VMs", VM_COLUMNS, evidence.vms)
        _table(workbook, formats, "Journal", JOURNAL_COLUMNS, evidence.journal)
        _sign_off(workbook, formats, evidence, generated_at)
        workbook.close()


def _table(workbook, formats: Formats, name: str, columns: dict[str, Column], rows: list[dict]) -> None:
    sheet = workbook.add_worksheet(name)
    data = [[row.get(key) for key in columns] for row in rows]
    write_table(sheet, formats, name, list(columns.values()), data)
    fit_columns(sheet, formats, list(columns.values()), data)
    sheet.freeze_panes(1, 1)
    print_setup(sheet)


def _sign_off(workbook, formats: Formats, evidence: Evidence, generated_at: datetime) -> None:
    sheet = workbook.add_worksheet("Sign-off")
    sheet.write(0, 0, f"Wave {evidence.wave} onto {evidence.target}: acceptance", formats.title)
    done = sum(1 for vm in evidence.vms if vm["status"] == "done")
    sheet.write(1, 0, f"{done} of {len(evidence.vms)} VMs migrated; evidence taken {generated_at:%Y-%m-%d %H:%M} UTC")
    for row, label in enumerate(SIGN_OFF, start=3):
        sheet.write(row, 0, label, formats.label)
        sheet.write_blank(row, 1, None, formats.heading)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 60)
    print_setup(sheet, repeat_header=False)
