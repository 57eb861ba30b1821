"""Readiness: pure rules that judge whether each VM can move to Proxmox VE, and what to do first."""

from migrate.readiness.assess import VmAssessment, assess, assess_vm
from migrate.readiness.rule import Finding, Severity, Unknown, Verdict
from migrate.readiness.rules import ALL_RULES, RULES_VERSION

__all__ = ["ALL_RULES", "RULES_VERSION", "Finding", "Severity", "Unknown", "Verdict", "VmAssessment", "assess", "assess_vm"]
