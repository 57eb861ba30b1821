"""The shapes every readiness rule shares: a rule's identity, its findings and its unknown outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"


class Verdict(StrEnum):
    """A VM's verdict, worst first: any blocker, else any warning, else any rule without inputs, else ready."""

    NOT_READY = "Not ready"
    READY_WITH_CONDITIONS = "Ready with conditions"
    UNKNOWN = "Unknown"
    READY = "Ready"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a rule found about one VM: what, how bad, what to do, and the evidence (property -> value)."""

    rule_id: str
    severity: Severity
    message: str
    remedy: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A rule could not decide because the inventory does not say (`missing` names the property)."""

    rule_id: str
    missing: str
    message: str


Outcome = Finding | Unknown


@dataclass(frozen=True, slots=True)
class Rule:
    """A catalog entry: id (e.g. DSK-06), default severity, a short title and the default remedy.

    `maps` marks a rule that judges the consultant's mapping file (is every network and datastore mapped?),
    not the VM: its outcomes go to the VM's maps assessment and never change the VM's verdict.
    """

    id: str
    severity: Severity
    title: str
    remedy: str
    maps: bool = False

    def finding(self, message: str, evidence: dict[str, Any], *, severity: Severity | None = None, remedy: str | None = None) -> Finding:
        """A finding of this rule; severity and remedy default to the catalog's."""
        return Finding(self.id, severity or self.severity, message, remedy or self.remedy, evidence)

    def unknown(self, missing: str) -> Unknown:
        """The outcome when the inventory lacks `missing`, which this rule needs."""
        return Unknown(self.id, missing, f"{self.title}: cannot tell, the inventory does not say {missing}")
