"""Judge and report: assess a source's VMs with the readiness rules, store the verdicts and write the reports.

It sits above both `readiness` (the pure rules) and `reports` (the files), so that neither imports the other.
"""

from migrate.assessment.readiness_report import ReadinessOutcome, ReportFiles, run_readiness

__all__ = ["ReadinessOutcome", "ReportFiles", "run_readiness"]
