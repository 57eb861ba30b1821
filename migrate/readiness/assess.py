"""Judge every VM of an inventory: the findings of all rules, the verdict, and the mapped Proxmox config."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from migrate.inventory.model import Inventory, Vm
from migrate.mapping.config import ProxmoxConfig
from migrate.mapping.mapper import map_vm
from migrate.mapping.model import Mappings, TargetFacts
from migrate.readiness.context import RuleContext, build_context
from migrate.readiness.rule import Finding, Rule, Severity, Unknown, Verdict
from migrate.readiness.rules import ALL_RULES, RULES_VERSION, LoadedRule


@dataclass(frozen=True, slots=True)
class VmAssessment:
    """One VM's readiness: verdict, findings (worst first), the rules that lacked inputs, and its Proxmox config."""

    vm: Vm
    verdict: Verdict
    findings: tuple[Finding, ...]
    unknowns: tuple[Unknown, ...]
    config: ProxmoxConfig
    rules_version: int = RULES_VERSION
    maps: tuple[Finding | Unknown, ...] = ()  # what the mapping file still lacks for this VM (NET-06, DSK-17)

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def unmapped(self) -> tuple[str, ...]:
        """The VM's networks and datastores the mapping file does not map yet, e.g. `network dv-web-120`."""
        names = dict.fromkeys(unmapped_name(outcome) for outcome in self.maps)
        return tuple(sorted(names, key=lambda name: (not name.startswith("network"), name)))


def unmapped_name(outcome: Finding | Unknown) -> str:
    """`network NAME` or `datastore NAME` for a maps finding; what is missing for a maps unknown."""
    if isinstance(outcome, Unknown):
        return outcome.missing
    kind = "network" if "network" in outcome.evidence else "datastore"
    return f"{kind} {outcome.evidence[kind]}"


_SEVERITY_ORDER = {Severity.BLOCKER: 0, Severity.WARNING: 1, Severity.INFO: 2}


def assess(inventory: Inventory, mappings: Mappings, target_facts: TargetFacts) -> list[VmAssessment]:
    """Map and judge every VM of `inventory`, in a stable order (datacenter, cluster, folder, name); a rule
    needing a fact the inventory's source lacks says "not assessed" rather than passing the VM."""
    context = build_context(inventory, mappings, target_facts)
    vms = sorted(inventory.vms, key=_report_order)
    return [assess_vm(vm, context) for vm in vms]


def assess_vm(vm: Vm, context: RuleContext, rules: Sequence[LoadedRule] = ALL_RULES) -> VmAssessment:
    """Run `rules` on one VM and map it with the name the context chose; the maps rules' outcomes go apart."""
    findings: list[Finding] = []
    unknowns: list[Unknown] = []
    maps: list[Finding | Unknown] = []
    for loaded in rules:
        outcomes = list(loaded.check(vm, context)) or _not_assessed(loaded.rule, context)
        for outcome in outcomes:
            if loaded.rule.maps:
                maps.append(outcome)  # the mapping file's gaps: reported apart, never in the verdict
            else:
                (findings if isinstance(outcome, Finding) else unknowns).append(outcome)
    findings.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], f.rule_id))
    config = map_vm(vm, context.mappings, context.target, name=context.proxmox_name(vm))
    return VmAssessment(vm, verdict_of(findings, unknowns), tuple(findings), tuple(unknowns), config, maps=tuple(maps))


def _not_assessed(rule: Rule, context: RuleContext) -> list[Unknown]:
    """A rule that found nothing proves nothing when the source lacks a fact it needs: say so, never pass."""
    origin = context.origin
    missing = [fact for fact in rule.needs if origin is not None and fact in origin.lacks]
    return [rule.not_in_source(", ".join(missing), origin.where)] if missing and origin else []


def verdict_of(findings: Sequence[Finding], unknowns: Sequence[Unknown]) -> Verdict:
    """Not ready with any blocker; Unknown if a rule that could block lacked inputs (a blocker it cannot see must
    not read as Ready with conditions); else Ready with conditions with any warning; else Unknown if a rule
    lacked inputs; else Ready."""
    severities = {finding.severity for finding in findings}
    if Severity.BLOCKER in severities:
        return Verdict.NOT_READY
    if any(unknown.can_block for unknown in unknowns):
        return Verdict.UNKNOWN
    if Severity.WARNING in severities:
        return Verdict.READY_WITH_CONDITIONS
    if unknowns:
        return Verdict.UNKNOWN
    return Verdict.READY


def _report_order(vm: Vm) -> tuple[str, ...]:
    return (vm.datacenter or "", vm.cluster or "", vm.folder or "", vm.name, vm.moref or "")
