"""Landing-zone checks: each production-architecture threshold is a finding with a remedy."""

from __future__ import annotations

import dataclasses

import pytest

from migrate.mapping.model import NetworkTarget
from migrate.planning.model import PlanSettings
from migrate.planning.place import place_wave
from migrate.readiness.rule import Severity
from migrate.planning.landing import check_landing_zone
from migrate.target.model import BridgeFacts
from migrate.target.privileges import REQUIRED_PRIVILEGES
from tests.factories import make_snapshot, make_vm
from tests.planning.helpers import GIB, candidate

ALL = tuple(REQUIRED_PRIVILEGES)


def rules(findings):
    return sorted(f.rule_id for f in findings)


def snapshot(**kwargs):
    kwargs.setdefault("privileges", ALL)
    return make_snapshot(**kwargs)


def test_a_healthy_three_node_cluster_has_no_findings():
    assert check_landing_zone(snapshot(nodes=3)) == []


def test_two_nodes_without_a_qdevice_is_a_blocker():
    assert rules(check_landing_zone(snapshot(nodes=2))) == ["LZ-01"]
    assert check_landing_zone(snapshot(nodes=2, qdevice=True)) == []


def test_lost_quorum_is_a_blocker():
    [finding] = check_landing_zone(snapshot(quorate=False))
    assert finding.rule_id == "LZ-02" and finding.severity is Severity.BLOCKER and finding.remedy


@pytest.mark.parametrize(("health", "severity"), [("HEALTH_WARN", Severity.WARNING), ("HEALTH_ERR", Severity.BLOCKER)])
def test_ceph_not_health_ok_is_a_finding(health, severity):
    [finding] = check_landing_zone(snapshot(ceph_health=health))
    assert (finding.rule_id, finding.severity) == ("LZ-03", severity)


def test_missing_privileges_are_named():
    held = tuple(p for p in ALL if p not in ("Datastore.AllocateSpace", "SDN.Use"))
    [finding] = check_landing_zone(snapshot(privileges=held))
    assert finding.rule_id == "LZ-10" and "Datastore.AllocateSpace, SDN.Use" in finding.message


def _plan(snap, vms, **settings):
    return place_wave(vms, snap, PlanSettings(**settings), wave=1, snapshot_version=1)


def test_storage_above_eighty_percent_after_placement_is_found():
    snap = snapshot(nodes=1, storage_gib=100)
    from migrate.inventory.model import Disk
    disk = Disk(key=1, label="d", capacity_bytes=90 * GIB, committed_bytes=90 * GIB, datastore="ds1", controller_kind="scsi")
    plan = _plan(snap, [candidate(make_vm("big", disks=[disk]))], storage_limit=1.0)
    [finding] = check_landing_zone(snap, [plan])
    assert finding.rule_id == "LZ-04" and "90% full, above 80%" in finding.message


def test_node_memory_above_ninety_percent_after_placement_is_found():
    snap = snapshot(nodes=1, memory_gib=64, used_gib=8)
    plan = _plan(snap, [candidate(make_vm("big", memory_mb=52 * 1024))], memory_limit=1.0)
    assert rules(check_landing_zone(snap, [plan])) == ["LZ-05"]


def test_a_mapped_bridge_missing_on_one_node_is_a_warning_and_on_all_a_blocker():
    snap = snapshot(nodes=2, qdevice=True, bridges=(("vmbr0", True),))
    snap = dataclasses.replace(snap, bridges=snap.bridges + (BridgeFacts("pve1", "vmbr1", True),))
    findings = check_landing_zone(snap, networks={"a": NetworkTarget("vmbr1"), "b": NetworkTarget("vmbr7")})
    assert [(f.rule_id, f.severity, f.evidence["bridge"], f.evidence["nodes"]) for f in findings] == [
        ("LZ-06", Severity.WARNING, "vmbr1", ["pve2"]), ("LZ-06", Severity.BLOCKER, "vmbr7", ["pve1", "pve2"])]


def test_a_vlan_tag_on_a_bridge_that_is_not_vlan_aware_is_a_blocker():
    findings = check_landing_zone(snapshot(bridges=(("vmbr0", False),)), networks={"pg": NetworkTarget("vmbr0", vlan=120)})
    assert rules(findings) == ["LZ-07"] and "VLAN 120" in findings[0].message


def test_cpu_host_over_different_cpu_models_is_found():
    snap = snapshot(nodes=2, qdevice=True)
    snap = dataclasses.replace(snap, nodes=(snap.nodes[0], dataclasses.replace(snap.nodes[1], cpu_model="Intel Xeon Gold 6338")))
    plan = _plan(snap, [candidate(make_vm("a"))])
    plan = dataclasses.replace(plan, vms=tuple(dataclasses.replace(vm, config={**vm.config, "cpu": "host"}) for vm in plan.vms))
    assert rules(check_landing_zone(snap, [plan])) == ["LZ-08"]


def test_ha_wanted_on_local_storage_is_found_and_not_on_shared():
    local, shared = snapshot(), snapshot(shared=True, storage_type="nfs")
    plan_local = _plan(local, [candidate(make_vm("a"), ha_wanted=True)])
    plan_shared = _plan(shared, [candidate(make_vm("a"), ha_wanted=True)])
    assert rules(check_landing_zone(local, [plan_local])) == ["LZ-09"]
    assert check_landing_zone(shared, [plan_shared]) == []


def test_the_role_document_names_every_required_privilege_and_the_pveum_commands():
    from pathlib import Path

    from migrate.target.privileges import pveum_commands

    text = (Path(__file__).resolve().parents[2] / "docs" / "proxmox-role.md").read_text()
    assert [p for p in REQUIRED_PRIVILEGES if f"| `{p}` |" not in text] == []
    assert all(command in text for command in pveum_commands())


def test_a_planned_vm_that_was_created_meanwhile_is_not_counted_twice():
    from migrate.target.model import GuestFacts

    snap = snapshot(nodes=1, memory_gib=64, used_gib=8)
    plan = _plan(snap, [candidate(make_vm("big", memory_mb=52 * 1024))], memory_limit=1.0)
    created = dataclasses.replace(snap, guests=(GuestFacts(plan.vms[0].vmid, "big", "pve1"),))
    assert rules(check_landing_zone(snap, [plan])) == ["LZ-05"]
    assert check_landing_zone(created, [plan]) == []
