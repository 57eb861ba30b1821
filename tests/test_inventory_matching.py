"""Pairing VMs with their earlier records: strongest unique key first, never by a value two VMs share."""

from __future__ import annotations

from dataclasses import replace

from migrate.inventory.matching import pair_records
from tests.factories import make_vm

RVTOOLS_KEYS = ("instance_uuid", "moref", "bios_uuid", "path", "name")


def record(id, vm, removed=None):
    return {"id": id, "name": vm.name, "folder": vm.folder, "moref": vm.moref, "instance_uuid": vm.instance_uuid,
            "bios_uuid": vm.bios_uuid, "removed_run_id": removed}


def bare(name, **kwargs):
    """A VM as a trimmed export shows it: no instance UUID, no VM ID."""
    return make_vm(name, instance_uuid=None, moref=None, **kwargs)


def ids(paired):
    return [r["id"] if r else None for r in paired]


def test_clones_sharing_a_bios_uuid_keep_their_own_records_by_name():
    a, b = bare("web-prd-01", bios_uuid="X"), bare("web-prd-03", bios_uuid="X")
    assert ids(pair_records([b, a], [record(1, a), record(3, b)], RVTOOLS_KEYS)) == [3, 1]


def test_vms_of_one_name_in_two_folders_are_told_apart_by_their_path():
    a, b = bare("db", folder="/DC1/vm/prod"), bare("db", folder="/DC1/vm/test")
    assert ids(pair_records([b, a], [record(1, a), record(2, b)], RVTOOLS_KEYS)) == [2, 1]


def test_a_value_shared_on_either_side_pairs_nothing():
    a, twin = bare("db", bios_uuid="X"), bare("db", bios_uuid="X")
    assert ids(pair_records([a, twin], [record(1, a)], RVTOOLS_KEYS)) == [None, None]
    assert ids(pair_records([a], [record(1, a), record(2, twin)], RVTOOLS_KEYS)) == [None]


def test_a_strong_key_wins_over_a_weaker_one_that_names_another_record():
    old_a, old_b = make_vm("a"), make_vm("b")
    renamed_a = replace(old_a, name="b")  # a took b's name: its instance UUID still says it is a
    assert ids(pair_records([renamed_a], [record(1, old_a), record(2, old_b)], RVTOOLS_KEYS)) == [1]


def test_a_present_record_wins_over_a_removed_ghost_and_a_strong_key_revives_a_ghost():
    vm = bare("web")
    assert ids(pair_records([vm], [record(1, vm, removed=5), record(2, vm)], ("name",))) == [2]
    back = make_vm("web")
    namesake = replace(make_vm("other"), name="web")
    paired = pair_records([back], [record(1, back, removed=5), record(2, namesake)], RVTOOLS_KEYS)
    assert ids(paired) == [1]


def test_each_record_is_paired_once():
    vm = make_vm("a")
    paired = pair_records([vm, replace(vm, instance_uuid=None, moref=None, bios_uuid=None)], [record(1, vm)], RVTOOLS_KEYS)
    assert ids(paired) == [1, None]


def test_api_discovery_pairs_vms_sharing_an_instance_uuid_by_their_moref():
    a, b = make_vm("a"), replace(make_vm("b"), instance_uuid=make_vm("a").instance_uuid)  # a copied VM
    assert ids(pair_records([b, a], [record(1, a), record(2, b)], ("instance_uuid", "moref"))) == [2, 1]
