"""What the report's words and codes mean: the four verdicts, and every rule of the catalog with its remedy."""

from __future__ import annotations

from migrate.readiness.rule import Verdict
from migrate.readiness.rules import ALL_RULES
from migrate.reports.xlsx_layout import Column

VERDICT_MEANINGS = {
    Verdict.NOT_READY: "At least one blocker: the VM cannot be migrated until it is fixed (see its findings' remedies).",
    Verdict.READY_WITH_CONDITIONS: "No blocker, but warnings: the VM migrates once the conditions in its findings are "
                                   "accepted or handled (often steps of the cutover itself).",
    Verdict.UNKNOWN: "A rule could not judge the VM because the inventory lacks a fact it needs (an RVTools export "
                     "lacks some): discover through the vSphere API to settle it.",
    Verdict.READY: "Every rule judged the VM and none found anything in the way.",
}
RULE_TITLES = {loaded.rule.id: loaded.rule.title for loaded in ALL_RULES}
VERDICT_COLUMNS = (Column("Verdict"), Column("Meaning"))
RULE_COLUMNS = (Column("Rule"), Column("Title"), Column("Severity"), Column("Remedy"), Column("Needs facts"))


def verdict_rows() -> list[tuple[str, str]]:
    """One row per verdict, worst first."""
    return [(str(verdict), VERDICT_MEANINGS[verdict]) for verdict in Verdict]


def rule_rows() -> list[tuple[str, str, str, str, str]]:
    """One row per rule of the catalog, in id order; severity is the worst the rule can give."""
    return [(rule.id, rule.title, str(rule.worst or rule.severity), rule.remedy, ", ".join(rule.needs))
            for rule in (loaded.rule for loaded in ALL_RULES)]
