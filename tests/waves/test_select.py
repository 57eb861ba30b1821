"""Selecting a wave's VMs: any criterion matches, and application groups come along whole."""

from __future__ import annotations

from migrate.inventory.model import Cluster, ClusterRule
from migrate.waves.select import Candidate, WaveSelection, select_vms
from tests.factories import make_vm

VMS = [
    Candidate(1, make_vm("web-01", folder="/DC1/vm/web", custom_attributes={"app": "shop", "tier": "web"})),
    Candidate(2, make_vm("web-02", folder="/DC1/vm/web/edge")),
    Candidate(3, make_vm("db-01", folder="/DC1/vm/db", custom_attributes={"app": "shop"})),
    Candidate(4, make_vm("crm-01", folder="/DC1/vm/apps", cluster="Dev")),
    Candidate(5, make_vm("crm-02", folder="/DC1/vm/apps")),
    Candidate(6, make_vm("webby", folder="/DC1/vm/webby")),
]


def chosen(selection, clusters=()):
    return select_vms(VMS, selection, clusters).members


def test_folder_selects_the_folder_and_below_but_not_a_sibling_with_the_same_prefix():
    assert sorted(chosen(WaveSelection(folders=("/DC1/vm/web",), group_attribute="none"))) == [1, 2]


def test_criteria_are_a_union():
    selection = WaveSelection(clusters=("Dev",), patterns=("WEB-0*",), group_attribute="none")
    assert sorted(chosen(selection)) == [1, 2, 4]


def test_tag_and_attribute_match_custom_attribute_values():
    assert sorted(chosen(WaveSelection(tags=(("tier", "web"),), group_attribute="none"))) == [1]
    assert sorted(chosen(WaveSelection(attributes=(("app", "shop"),)))) == [1, 3]


def test_a_selected_vm_brings_its_application_group():
    members = chosen(WaveSelection(names=("web-01",)))
    assert members == {1: "selected", 3: "group app=shop"}


def test_a_drs_affinity_rule_keeps_its_vms_together():
    clusters = [Cluster("Prod", rules=[ClusterRule("crm-together", "affinity", True, False, ["crm-01", "crm-02"])])]
    assert chosen(WaveSelection(names=("crm-02",)), clusters) == {5: "selected", 4: "group affinity rule crm-together"}


def test_unknown_names_are_reported():
    assert select_vms(VMS, WaveSelection(names=("web-01", "nope"))).unknown_names == ["nope"]
