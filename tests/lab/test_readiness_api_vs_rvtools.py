"""The same VMs judged from the vSphere API and from their RVTools export: the verdicts differ only where the
export lacks a fact, and each such difference is Unknown ("not in the RVTools export"), never more optimistic.

The lab discovers the sample estate from the vCenter simulator; `sample_inventory/RVTools_export_all_sample.xlsx`
is the same estate written as an export. Both are judged with the sample map, VM by VM and rule by rule.
"""

from __future__ import annotations

import pytest

from lab.export import SAMPLE_EXPORT
from migrate.clients.vsphere.connection import VcenterEndpoint, connect
from migrate.discovery.rvtools import read_rvtools
from migrate.discovery.vcenter.harvest import harvest
from migrate.mapping import TargetFacts, load_mappings
from migrate.readiness import assess
from migrate.readiness.assess import VmAssessment
from migrate.readiness.rule import Unknown, Verdict
from tests.mapping.test_sample_estate_on_fakepve import SAMPLE_MAP
from tests.readiness.agreement import contradictions

pytestmark = pytest.mark.vcsim

# Rules whose facts the simulator, not the export, gets wrong (sample_inventory/README.md), each with why.
SIMULATOR_GAPS = {
    "CLU-02": "CreateClusterEx ignores HA and DRS settings: DRS is always on in the simulator",
    "ID-03": "the BIOS UUID is assigned by the simulator when the lab is built; the estate, hence its export, has none",
}


@pytest.fixture(scope="module")
def judged(lab) -> tuple[dict[str, VmAssessment], dict[str, VmAssessment]]:
    endpoint = VcenterEndpoint(lab.host, lab.username, lab.password, port=lab.port, ca_file=str(lab.ca_file))
    with connect(endpoint) as connection:
        api_inventory = harvest(connection).inventory
    export_inventory = read_rvtools(SAMPLE_EXPORT).inventory
    mappings = load_mappings(SAMPLE_MAP)
    api = {a.vm.name: a for a in assess(api_inventory, mappings, TargetFacts())}
    export = {a.vm.name: a for a in assess(export_inventory, mappings, TargetFacts())}
    return api, export


def _outcomes(assessment: VmAssessment) -> dict[str, object]:
    """Per rule: the severities it found, or the Unknown it gave (one per rule, the first)."""
    found: dict[str, object] = {}
    for finding in assessment.findings:
        found.setdefault(finding.rule_id, set()).add(finding.severity)
    for unknown in assessment.unknowns:
        found.setdefault(unknown.rule_id, unknown)
    return found


def differences(api: VmAssessment, export: VmAssessment) -> list[str]:
    """What the export says that is neither what the API says nor an Unknown for a fact the export lacks."""
    lines = []
    left, right = _outcomes(api), _outcomes(export)
    for rule_id in sorted((set(left) | set(right)) - set(SIMULATOR_GAPS)):
        a, b = left.get(rule_id), right.get(rule_id)
        if isinstance(b, Unknown):
            if "RVTools export" not in b.message and not isinstance(a, Unknown):
                lines.append(f"{rule_id}: unknown without naming the export ({b.message})")
        elif a != b and not isinstance(a, Unknown):
            lines.append(f"{rule_id}: API {a}, export {b}")
    if export.verdict not in (api.verdict, Verdict.UNKNOWN):
        lines.append(f"verdict: API {api.verdict}, export {export.verdict}")
    return lines


def test_the_export_differs_from_the_api_only_by_unknowns_for_facts_it_lacks(judged):
    api, export = judged
    assert sorted(api) == sorted(export) and len(api) == 76
    found = {name: lines for name in sorted(api) if (lines := differences(api[name], export[name]))}
    assert found == {}, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)


def test_no_finding_contradicts_the_config_or_preflight_from_either_source(judged):
    api, export = judged
    assert [line for side in (api, export) for a in side.values() for line in contradictions(a)] == []


def test_the_facts_the_export_lacks_make_verdicts_unknown_not_ready(judged):
    api, export = judged
    passthrough = [name for name, a in api.items() if any(f.rule_id == "DEV-01" for f in a.findings)]
    assert passthrough, "the estate has a PCI passthrough VM"
    for name in passthrough:
        assert export[name].verdict is not Verdict.READY
        (unknown,) = [u for u in export[name].unknowns if u.rule_id == "DEV-01"]
        assert unknown.message.endswith("PCI passthrough devices: not in the RVTools export") and unknown.can_block
    assert not any(a.verdict is Verdict.READY and export[n].verdict is Verdict.READY and export[n].unknowns
                   for n, a in api.items())


def test_facts_the_export_holds_fire_as_through_the_api(judged):
    api, export = judged
    centos = [name for name, a in export.items() if "CentOS 7" in (a.vm.guest_full_name or "")]
    assert centos
    for name in centos:
        assert "OS-03" in {f.rule_id for f in export[name].findings} and "OS-03" in {f.rule_id for f in api[name].findings}


def test_a_doctored_export_that_hides_a_snapshot_is_caught(judged):
    api, export = judged
    name = next(n for n, a in api.items() if any(f.rule_id == "DSK-08" for f in a.findings))
    hidden = assess_without_snapshots(export[name])
    assert any(line.startswith("DSK-08") for line in differences(api[name], hidden))


def assess_without_snapshots(assessment: VmAssessment) -> VmAssessment:
    from dataclasses import replace

    from migrate.readiness.assess import verdict_of

    findings = tuple(f for f in assessment.findings if f.rule_id != "DSK-08")
    return replace(assessment, findings=findings, verdict=verdict_of(findings, assessment.unknowns))

