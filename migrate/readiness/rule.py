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
    """A VM's verdict, worst first: any blocker; else unknown if a rule that could block lacked its inputs;
    else any warning; else unknown if any rule lacked its inputs; else ready."""

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
    """A rule could not decide because the inventory does not say (`missing` names the property).

    `can_block`: the rule could have found a blocker, so the VM cannot be called anything better than Unknown.
    """

    rule_id: str
    missing: str
    message: str
    can_block: bool = False


Outcome = Finding | Unknown


@dataclass(frozen=True, slots=True)
class Rule:
    """A catalog entry: id (e.g. DSK-06), default severity, a short title and the default remedy.

    `maps` marks a rule that judges the consultant's mapping file (is every network and datastore mapped?),
    not the VM: its outcomes go to the VM's maps assessment and never change the VM's verdict. `needs` names
    the facts (`migrate.inventory.facts`) a source may lack: without them the rule is "not assessed". `worst`
    is the worst severity it can give, when a finding can be worse than the default (INV-03: suspended).
    """

    id: str
    severity: Severity
    title: str
    remedy: str
    maps: bool = False
    needs: tuple[str, ...] = ()
    worst: Severity | None = None

    @property
    def can_block(self) -> bool:
        return (self.worst or self.severity) is Severity.BLOCKER

    def finding(self, message: str, evidence: dict[str, Any], *, severity: Severity | None = None, remedy: str | None = None) -> Finding:
        """A finding of this rule; severity and remedy default to the catalog's."""
        return Finding(self.id, severity or self.severity, message, remedy or self.remedy, evidence)

    def unknown(self, missing: str, where: str = "the inventory") -> Unknown:
        """The outcome when the inventory lacks `missing`, which this rule needs (`where`: the source, when known)."""
        return Unknown(self.id, missing, f"{self.title}: not assessed, {where} does not say {missing}", self.can_block)

    def not_in_source(self, missing: str, where: str) -> Unknown:
        """The outcome when the source (`where`: "the RVTools export") never holds `missing`."""
        return Unknown(self.id, missing, f"{self.title}: not assessed, {missing}: not in {where}", self.can_block)
