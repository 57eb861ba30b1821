"""The numbers the terminal shows after `migrate readiness`: VMs per verdict and the most frequent blockers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from migrate.inventory.facts import Origin
from migrate.readiness.assess import VmAssessment
from migrate.readiness.rule import Severity, Verdict
from migrate.readiness.rules import ALL_RULES, RULES_VERSION
from migrate.words import counted

_TITLES = {loaded.rule.id: loaded.rule.title for loaded in ALL_RULES}


@dataclass(frozen=True)
class RuleCount:
    rule_id: str
    title: str
    vms: int  # VMs with at least one finding of this rule


@dataclass(frozen=True)
class Unmapped:
    """A network or datastore the mapping file does not map yet (`network dv-web-120`), and the VMs using it."""

    name: str
    vms: tuple[str, ...]


@dataclass(frozen=True)
class ReadinessSummary:
    """Counts per verdict (all four, worst first), the top blockers and the top missing inputs; and apart from
    the verdicts, the networks and datastores the mapping file does not map yet."""

    total: int
    verdicts: dict[Verdict, int]
    top_blockers: list[RuleCount]
    top_unknowns: list[RuleCount]
    rules_version: int = RULES_VERSION
    unmapped: list[Unmapped] = field(default_factory=list)
    origin: Origin | None = None  # where the facts came from (API or RVTools, file, date)
    fully_assessed: int = 0  # VMs every rule could judge (no "not assessed" outcome)

    @property
    def source_line(self) -> str:
        """`RVTools export x.xlsx of 2026-11-30T09:00:00`, or what is known of an older inventory."""
        return self.origin.describe() if self.origin else "not recorded (an inventory from before origins were kept)"

    @property
    def assessed_line(self) -> str:
        """`12 of 76 VMs (16 %)`: the share every rule could judge."""
        share = round(100 * self.fully_assessed / self.total) if self.total else 100
        return f"{self.fully_assessed} of {counted(self.total, 'VM')} ({share} %)"

    @property
    def shown_verdicts(self) -> dict[Verdict, int]:
        """The verdicts some VM has (no `Unknown 0` line to read past)."""
        return {verdict: count for verdict, count in self.verdicts.items() if count}


def summarize(assessments: Sequence[VmAssessment], top: int = 10, origin: Origin | None = None) -> ReadinessSummary:
    """Summarize assessments of an inventory from `origin`; blockers are ranked by how many VMs they block, then
    by rule id."""
    verdicts = Counter(assessment.verdict for assessment in assessments)
    blockers: Counter[str] = Counter()
    unknowns: Counter[str] = Counter()
    for assessment in assessments:
        blockers.update({f.rule_id for f in assessment.findings if f.severity is Severity.BLOCKER})
        unknowns.update({u.rule_id for u in assessment.unknowns})
    return ReadinessSummary(
        total=len(assessments),
        verdicts={verdict: verdicts.get(verdict, 0) for verdict in Verdict},
        top_blockers=_ranked(blockers, top),
        top_unknowns=_ranked(unknowns, top),
        unmapped=unmapped_names(assessments),
        origin=origin,
        fully_assessed=sum(1 for assessment in assessments if not assessment.unknowns),
    )


def unmapped_names(assessments: Sequence[VmAssessment]) -> list[Unmapped]:
    """Every network and datastore some VM uses that the mapping file does not map, networks first, by name."""
    users: dict[str, list[str]] = {}
    for assessment in assessments:
        for name in assessment.unmapped:
            users.setdefault(name, []).append(assessment.vm.name)
    return [Unmapped(name, tuple(vms)) for name, vms in sorted(users.items(), key=lambda item: (not item[0].startswith("network"), item[0]))]


def _ranked(counts: Counter[str], top: int) -> list[RuleCount]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [RuleCount(rule_id, _TITLES.get(rule_id, rule_id), vms) for rule_id, vms in ordered]
