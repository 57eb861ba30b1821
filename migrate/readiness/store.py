"""Save readiness results with the rules version that produced them. The caller owns the transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from migrate.db.base import utcnow
from migrate.db.models import Source
from migrate.db.readiness_models import ReadinessResult, ReadinessRun
from migrate.inventory.facts import Origin
from migrate.mapping.names import vm_key
from migrate.readiness.assess import VmAssessment
from migrate.readiness.rule import Finding, Unknown
from migrate.readiness.rules import RULES_VERSION


def save_assessments(session: Session, source: str, assessments: Sequence[VmAssessment], assessed_at: datetime | None = None,
                     origin: Origin | None = None) -> ReadinessRun:
    """Record one readiness run of `source` (created if new, its facts from `origin`) with a result row per VM;
    flushes, does not commit."""
    source_row = session.scalar(select(Source).where(Source.name == source))
    if source_row is None:
        source_row = Source(name=source)
        session.add(source_row)
        session.flush()
    counts = Counter(str(assessment.verdict) for assessment in assessments)
    run = ReadinessRun(source_id=source_row.id, rules_version=RULES_VERSION, assessed_at=assessed_at or utcnow(), counts=dict(counts),
                       origin={**(origin.to_dict() if origin else {}),
                               "fully_assessed": sum(1 for assessment in assessments if not assessment.unknowns)})
    run.results = [_result(assessment) for assessment in assessments]
    session.add(run)
    session.flush()
    return run


def _result(assessment: VmAssessment) -> ReadinessResult:
    return ReadinessResult(
        vm_key=vm_key(assessment.vm),
        vm_name=assessment.vm.name,
        verdict=str(assessment.verdict),
        proxmox_name=assessment.config.name,
        findings=[{**asdict(finding), "severity": str(finding.severity)} for finding in assessment.findings],
        unknowns=[asdict(unknown) for unknown in assessment.unknowns],
        config=dict(assessment.config.params),
        maps=[_document(outcome) for outcome in assessment.maps],
    )


def _document(outcome: Finding | Unknown) -> dict:
    document = asdict(outcome)
    return {**document, "severity": str(outcome.severity)} if isinstance(outcome, Finding) else document
