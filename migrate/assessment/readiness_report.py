"""`migrate readiness`: judge every VM of a source, record the results and write the customer's reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from migrate.files import require_writable
from migrate.inventory.store import load_inventory
from migrate.mapping import TargetFacts
from migrate.mapping.service import source_mappings
from migrate.readiness.assess import VmAssessment, assess
from migrate.readiness.store import save_assessments
from migrate.reports.csv_report import write_findings_csv, write_readiness_csv
from migrate.reports.summary import ReadinessSummary, summarize
from migrate.reports.xlsx_report import write_readiness_xlsx
from migrate.waves.store import wave_members


@dataclass
class ReportFiles:
    csv: Path | None = None
    findings_csv: Path | None = None
    xlsx: Path | None = None
    delimiter: str = ","


@dataclass
class ReadinessOutcome:
    source: str
    assessments: list[VmAssessment]
    summary: ReadinessSummary
    written: list[Path] = field(default_factory=list)


def run_readiness(session: Session, source: str | None, mappings_dir: Path, files: ReportFiles) -> ReadinessOutcome:
    """Assess the source's current inventory, store the results and write the requested reports; the caller commits."""
    for path in (files.csv, files.findings_csv, files.xlsx):
        if path:
            require_writable(path)  # Before any is written: a bad path leaves every report as it was.
    inventory = load_inventory(session, source)
    assessments = assess(inventory, source_mappings(inventory.source, mappings_dir), TargetFacts())
    outcome = ReadinessOutcome(inventory.source, assessments, summarize(assessments, origin=inventory.origin))
    if files.csv:
        write_readiness_csv(assessments, files.csv, files.delimiter)
        outcome.written.append(files.csv)
    if files.findings_csv:
        write_findings_csv(assessments, files.findings_csv, files.delimiter)
        outcome.written.append(files.findings_csv)
    if files.xlsx:
        write_readiness_xlsx(assessments, files.xlsx, source=inventory.source, origin=inventory.origin,
                             waves=wave_members(session, inventory.source))
        outcome.written.append(files.xlsx)
    save_assessments(session, inventory.source, assessments, origin=inventory.origin)
    return outcome
