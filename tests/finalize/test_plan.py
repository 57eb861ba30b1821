"""Finalize's planning as pure functions of data: DRS rules over waves, backup coverage as vzdump selects."""

from __future__ import annotations

import pytest

from migrate.errors import NotFoundError
from migrate.finalize.backup import covers, plan_backups
from migrate.finalize.model import MARKER, Action, MigratedVm, TargetGuest, TargetState
from migrate.finalize.rules import plan_ha_rules, rule_id
from migrate.inventory.model import Cluster, ClusterRule


def make_state(**overrides) -> TargetState:
    values = dict(guests={}, shared_storages=frozenset({"ceph-vm"}), ha_resources={}, ha_rules={}, backup_jobs={})
    return TargetState(**{**values, **overrides})


def make_guest(vmid: int = 1001, **overrides) -> TargetGuest:
    values = dict(vmid=vmid, node="pve1", status="running", pool=None, volumes=(f"ceph-vm:vm-{vmid}-disk-0",))
    return TargetGuest(**{**values, **overrides})


CLUSTER = Cluster("Prod", rules=[ClusterRule("apart", "anti-affinity", True, True, ["a", "b", "c"])])


def test_a_drs_rule_grows_when_a_later_wave_brings_another_of_its_vms():
    existing = {rule_id("Prod", "apart"): {"type": "resource-affinity", "resources": "vm:1,vm:2",
                                           "comment": f"{MARKER}: DRS rule Prod/apart"}}
    changes, notes = plan_ha_rules([CLUSTER], {"c"}, {"a": "vm:1", "b": "vm:2", "c": "vm:3"}, existing)
    assert [(c.action, c.params["resources"]) for c in changes] == [(Action.UPDATE, "vm:1,vm:2,vm:3")]


def test_a_rule_of_the_same_id_that_the_toolkit_did_not_make_is_left_alone():
    existing = {rule_id("Prod", "apart"): {"type": "resource-affinity", "resources": "vm:7,vm:8"}}
    changes, notes = plan_ha_rules([CLUSTER], {"a"}, {"a": "vm:1", "b": "vm:2"}, existing)
    assert changes == [] and "the toolkit did not make" in notes[0].reason


def test_a_rule_that_names_no_vm_of_this_finalize_is_not_looked_at():
    assert plan_ha_rules([CLUSTER], {"z"}, {"a": "vm:1", "b": "vm:2"}, {}) == ([], [])


def test_long_rule_names_give_distinct_valid_ids():
    first, second = rule_id("Prod", "x" * 80 + "1"), rule_id("Prod", "x" * 80 + "2")
    assert first != second and len(first) <= 60 and first[0].isalpha()


@pytest.mark.parametrize("job, covered", [
    ({"vmid": "1001,1002"}, True),
    ({"vmid": "1002"}, False),
    ({"all": 1}, True),
    ({"all": 1, "exclude": "1001"}, False),
    ({"pool": "prod"}, True),
    ({"pool": "test"}, False),
    ({"vmid": "1001", "node": "pve2"}, False),
    ({"vmid": "1001", "enabled": 0}, False),
])
def test_a_job_covers_a_guest_as_vzdump_selects_it(job, covered):
    assert covers(job, make_guest(pool="prod")) is covered


def test_a_job_that_selects_all_guests_is_not_given_vmids():
    vm = MigratedVm("a", 1, "key-a", 1001, "pve1")
    state = make_state(guests={1001: make_guest()}, backup_jobs={"every": {"all": 1, "exclude": "1001"}})
    changes, notes = plan_backups([vm], state, "every")
    assert changes == [] and "selects all guests, not VMIDs" in notes[0].reason


def test_a_disabled_job_is_added_to_but_said_to_back_up_nothing():
    vm = MigratedVm("a", 1, "key-a", 1001, "pve1")
    state = make_state(guests={1001: make_guest()}, backup_jobs={"off": {"vmid": "5", "enabled": 0}})
    changes, notes = plan_backups([vm], state, "off")
    assert changes[0].params == {"vmid": "5,1001"} and "is disabled" in notes[0].reason
    again = make_state(guests={1001: make_guest()}, backup_jobs={"off": {"vmid": "5,1001", "enabled": 0}})
    assert plan_backups([vm], again, "off")[0] == []


def test_an_unknown_job_names_the_jobs_there_are():
    with pytest.raises(NotFoundError, match="give one of daily"):
        plan_backups([], make_state(backup_jobs={"daily": {"vmid": "1"}}), "weekly")


def test_a_vm_vsphere_ha_would_not_restart_gets_no_ha_resource():
    from migrate.finalize.ha import plan_ha_resources
    from migrate.finalize.model import HaSettings

    vm = MigratedVm("batch", 1, "key-batch", 1001, "pve1", "Prod", restart_priority="disabled")
    changes, notes = plan_ha_resources([vm], make_state(guests={1001: make_guest()}), HaSettings(), 1)
    assert changes == [] and "restart priority disabled" in notes[0].reason


def test_a_vms_restart_priority_is_its_override_else_its_clusters_default():
    from migrate.finalize.wave import restart_priority

    cluster = Cluster("Prod", ha_restart_priority="medium", ha_vm_overrides={"a": {"restart_priority": "disabled"},
                                                                          "b": {"isolation_response": "none"}})
    assert [restart_priority([cluster], MigratedVm(name, 1, None, 1, "pve1", "Prod")) for name in "abc"] == [
        "disabled", "medium", "medium"]


def test_a_vm_host_rule_is_reported_with_its_hosts_not_carried_over():
    rule = ClusterRule("app-on-gold", "vm-host", True, True, ["a"], hosts=["esx1", "esx2"], host_affinity="affine")
    changes, notes = plan_ha_rules([Cluster("Prod", rules=[rule])], {"a"}, {"a": "vm:1"}, {})
    assert changes == [] and "must run on esx1, esx2" in notes[0].reason and "strict=1" in notes[0].reason


def test_deleting_a_powered_off_source_needs_it_confirmed_by_name():
    from datetime import UTC, datetime, timedelta

    from migrate.errors import UsageError
    from migrate.finalize.model import Action
    from migrate.finalize.retire import RetireOptions, SourceFacts, check_confirmed, plan_retirement

    now = datetime(2026, 12, 20, tzinfo=UTC)
    vm = MigratedVm("a", 1, "key-a", 1001, "pve1", source_moref="vm-1", migrated_at=now - timedelta(days=15))
    sources = {"vm-1": SourceFacts("a", "", "poweredOff")}
    changes, notes = plan_retirement([vm], sources, make_state(guests={1001: make_guest()}),
                                     RetireOptions(14, now, "delete"), "pve")
    assert [c.action for c in changes] == [Action.RENAME, Action.DELETE] and notes == []
    assert changes[0].params["name"] == "a [migrated 2026-12-20]"
    with pytest.raises(UsageError, match="to delete the sources, confirm exactly these VMs: --confirm a"):
        check_confirmed(changes, ["b"])
    check_confirmed(changes, ["a"])
    early = plan_retirement([vm], sources, make_state(guests={1001: make_guest()}), RetireOptions(16, now, "delete"),
                            "pve")
    assert early[0] == [] and "grace period until 2026-12-21" in early[1][0].reason


def test_a_long_source_name_keeps_its_marker_within_vcenters_limit():
    from datetime import UTC, datetime

    from migrate.finalize.retire import retired_name

    name = retired_name("x" * 80, datetime(2026, 12, 20, tzinfo=UTC))
    assert len(name) == 80 and name.endswith(" [migrated 2026-12-20]")


def test_on_proxmox_ve_8_drs_rules_are_reported_not_carried_over():
    changes, notes = plan_ha_rules([CLUSTER], {"a"}, {"a": "vm:1", "b": "vm:2"}, None)
    assert changes == [] and "HA rules need Proxmox VE 9" in notes[0].reason


def test_rule_names_that_differ_only_in_what_an_id_cannot_hold_get_distinct_ids():
    import re

    ids = {rule_id("Prod", name) for name in ("SQL apart", "Ärzte", "Örzte", "日本", "中国")}
    assert len(ids) == 5 and all(re.fullmatch(r"[a-z][a-z0-9_-]+", i) for i in ids)
    assert rule_id("Prod", "SQL apart") == "drs-prod-sql-apart"


def test_an_anti_affinity_rule_over_more_vms_than_nodes_is_reported_not_sent():
    changes, notes = plan_ha_rules([CLUSTER], {"a"}, {"a": "vm:1", "b": "vm:2", "c": "vm:3"}, {}, nodes=2)
    assert changes == [] and "keep 3 VMs apart on 2 nodes, which PVE refuses" in notes[0].reason
