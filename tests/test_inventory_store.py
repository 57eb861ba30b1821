"""Applying discoveries to the database: identity kept, changes recorded, nothing lost."""

from __future__ import annotations

from sqlalchemy import func, select

from migrate.db.models import DiscoveryRun, VmChange, VmRecord
from migrate.inventory.store import (
    find_vm,
    latest_changes,
    list_vms,
    load_inventory,
    save_inventory,
    start_run,
)
from tests.factories import make_inventory, make_vm


def discover(session, *vms, source="vc.example.com"):
    run = start_run(session, source, "vsphere-api")
    summary = save_inventory(session, run.id, make_inventory(*vms, source=source))
    session.commit()
    return summary


def test_first_discovery_records_every_vm_as_added(session):
    summary = discover(session, make_vm("web-01"), make_vm("web-02"))
    assert summary.previous_run_id is None
    assert sorted(summary.added) == ["web-01", "web-02"]
    assert [r.name for r in list_vms(session)] == ["web-01", "web-02"]


def test_rediscovery_keeps_vm_ids_and_reports_changed_fields(session):
    discover(session, make_vm("db-01", memory_mb=8192))
    first_id = find_vm(session, "db-01").id
    summary = discover(session, make_vm("db-01", memory_mb=16384))
    assert find_vm(session, "db-01").id == first_id
    assert summary.changed == [("db-01", [{"field": "memory_mb", "old": 8192, "new": 16384}])]
    assert summary.added == [] and summary.removed == []


def test_renamed_vm_is_matched_by_instance_uuid(session):
    vm = make_vm("old-name")
    discover(session, vm)
    vm.name = "new-name"
    summary = discover(session, vm)
    assert summary.added == [] and summary.removed == []
    assert summary.changed[0][0] == "new-name"
    assert session.scalar(select(func.count(VmRecord.id))) == 1


def test_moref_matches_when_the_instance_uuid_is_unknown(session):
    discover(session, make_vm("app", instance_uuid=None, moref="vm-42"))
    summary = discover(session, make_vm("app", instance_uuid=None, moref="vm-42", num_cpu=4))
    assert summary.added == [] and [name for name, _ in summary.changed] == ["app"]


def test_discover_marks_vanished_vms_removed_not_deleted(session):
    discover(session, make_vm("keep"), make_vm("gone"))
    summary = discover(session, make_vm("keep"))
    assert summary.removed == ["gone"]
    assert [r.name for r in list_vms(session)] == ["keep"]
    assert sorted(r.name for r in list_vms(session, include_removed=True)) == ["gone", "keep"]


def test_a_vm_that_comes_back_is_added_again_with_its_old_id(session):
    vm = make_vm("flaky")
    discover(session, vm)
    old_id = find_vm(session, "flaky").id
    discover(session)
    summary = discover(session, vm)
    assert summary.added == ["flaky"]
    assert find_vm(session, "flaky").id == old_id


def test_latest_changes_replays_the_last_discovery(session):
    discover(session, make_vm("a"), make_vm("b"))
    discover(session, make_vm("a", num_cpu=8), make_vm("c"))
    changes = latest_changes(session)
    assert changes.added == ["c"] and changes.removed == ["b"]
    assert changes.changed == [("a", [{"field": "num_cpu", "old": 2, "new": 8}])]


def test_unchanged_rediscovery_records_no_changes(session):
    discover(session, make_vm("same"))
    summary = discover(session, make_vm("same"))
    assert summary.counts == {"added": 0, "changed": 0, "removed": 0}
    last_run = session.scalars(select(DiscoveryRun).order_by(DiscoveryRun.id.desc())).first()
    assert session.scalar(select(func.count(VmChange.id)).where(VmChange.run_id == last_run.id)) == 0


def test_sources_are_kept_apart(session):
    discover(session, make_vm("x"), source="vc1")
    discover(session, make_vm("y"), source="vc2")
    assert [r.name for r in list_vms(session, source="vc1")] == ["x"]
    assert discover(session, make_vm("x"), source="vc1").removed == []


def test_hostile_names_are_stored_exactly(session):
    names = ["=HYPERLINK(\"http://x\")", "  spaced  ", "Ünïcødé ☃", "quote'\"", "new\nline"]
    discover(session, *(make_vm(n) for n in names))
    assert sorted(r.name for r in list_vms(session)) == sorted(names)


def test_load_inventory_returns_the_current_vms_as_model_objects(session):
    vm = make_vm("db-01", num_cpu=8)
    discover(session, vm, make_vm("gone"))
    discover(session, vm)
    inventory = load_inventory(session)
    assert inventory.source == "vc.example.com"
    assert [v.name for v in inventory.vms] == ["db-01"]
    assert inventory.vms[0] == vm


def test_rediscovery_spanning_several_save_batches_matches_every_vm(session, monkeypatch):
    monkeypatch.setattr("migrate.inventory.store.SAVE_BATCH", 2)
    discover(session, *(make_vm(f"vm-{n}") for n in range(5)))
    ids = {r.name: r.id for r in list_vms(session)}
    summary = discover(session, make_vm("vm-0"), make_vm("vm-1", num_cpu=8), make_vm("vm-3"),
                       make_vm("vm-4", memory_mb=1), make_vm("vm-new"))
    assert summary.added == ["vm-new"] and summary.removed == ["vm-2"]
    assert [name for name, _ in summary.changed] == ["vm-1", "vm-4"]
    assert all(find_vm(session, name).id == vm_id for name, vm_id in ids.items() if name != "vm-2")
    kinds = session.execute(select(VmChange.vm_name, VmChange.kind).where(VmChange.run_id == summary.run_id)
                            .order_by(VmChange.id)).all()
    assert [tuple(k) for k in kinds] == [("vm-1", "changed"), ("vm-4", "changed"), ("vm-2", "removed"),
                                        ("vm-new", "added")]
