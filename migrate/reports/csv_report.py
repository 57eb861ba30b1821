"""CSV files that Excel opens correctly: UTF-8 with BOM, CRLF, minimal quoting, formula-like text escaped."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from migrate.files import replace_when_done
from migrate.readiness.assess import VmAssessment
from migrate.reports.excel import excel_safe
from migrate.reports.rows import FINDING_COLUMNS, VM_COLUMNS, finding_rows, vm_rows


def write_readiness_csv(assessments: Sequence[VmAssessment], path: str | Path, delimiter: str = ",") -> int:
    """Write one row per VM to `path`; returns the number of rows. Use `delimiter=";"` for EU Excel."""
    return _write(path, VM_COLUMNS, vm_rows(assessments), delimiter)


def write_findings_csv(assessments: Sequence[VmAssessment], path: str | Path, delimiter: str = ",") -> int:
    """Write one row per finding (and per rule that lacked inputs) to `path`; returns the number of rows."""
    return _write(path, FINDING_COLUMNS, finding_rows(assessments), delimiter)


def _write(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str) -> int:
    count = 0
    with replace_when_done(path) as scratch, open(scratch, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([excel_safe(value) for value in row])
            count += 1
    return count
