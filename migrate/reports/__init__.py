"""Readiness reports: CSV and XLSX a customer opens in Excel, and a summary for the terminal."""

from migrate.reports.csv_report import write_findings_csv, write_readiness_csv
from migrate.reports.rows import FINDING_COLUMNS, VM_COLUMNS, finding_rows, vm_rows
from migrate.reports.summary import ReadinessSummary, summarize
from migrate.reports.xlsx_report import write_readiness_xlsx

__all__ = [
    "FINDING_COLUMNS", "VM_COLUMNS", "ReadinessSummary", "finding_rows", "summarize", "vm_rows",
    "write_findings_csv", "write_readiness_csv", "write_readiness_xlsx",
]
