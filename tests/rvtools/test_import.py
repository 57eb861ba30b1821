"""Importing exports into the inventory database, and importing a newer export of the same vCenter."""

from dataclasses import replace

import pytest
from tests.rvtools.rvtools_factories import make_inventory, make_vm
from sqlalchemy import select, text

from migrate.db.models import DiscoveryRun
from migrate.errors import DatabaseError
from migrate.inventory.store import list_vms
from lab.rvtools import write_rvtools_export
from migrate.discovery.rvtools import import_rvtools


def _export(tmp_path, inventory, name="export.xlsx"):
    return write_rvtools_export(inventory, tmp_path / name)


def test_import_records_a_run_with_provenance_and_adds_the_vms(session, tmp_path):
    path = _export(tmp_path, make_inventory())
    tabs = []
    summary = import_rvtools(session, path, progress=tabs.append)
    session.commit()
    assert summary.source == "vcenter.example.com" and summary.added == ["web01", "web02"]
    run = session.scalar(select(DiscoveryRun))
    assert (run.method, run.status, run.api_version) == ("rvtools", "succeeded", "8.0.3.0")
    assert run.provenance["file"] == "export.xlsx" and run.provenance["rvtools_version"] == "4.7.1.4"
    assert run.provenance["vcenter"] == "vcenter.example.com" and len(run.provenance["sha256"]) == 64
    assert run.counts == {"vms": 2, "hosts": 1, "clusters": 1, "datastores": 1, "networks": 3}
    assert tabs[0] == "vInfo" and "vMetaData" in tabs


def test_a_newer_export_reports_changed_removed_and_added_vms(session, tmp_path):
    import_rvtools(session, _export(tmp_path, make_inventory([make_vm(1), make_vm(2)]), "old.xlsx"))
    newer = make_inventory([make_vm(1, num_cpu=8), make_vm(3)])
    summary = import_rvtools(session, _export(tmp_path, newer, "new.xlsx"))
    assert summary.added == ["web03"] and summary.removed == ["web02"]
    assert [(name, [f["field"] for f in fields]) for name, fields in summary.changed] == [("web01", ["num_cpu"])]
    assert [vm.name for vm in list_vms(session)] == ["web01", "web03"]


def test_a_renamed_vm_is_matched_by_instance_uuid(session, tmp_path):
    import_rvtools(session, _export(tmp_path, make_inventory([make_vm(1)]), "old.xlsx"))
    renamed = make_vm(1, name="web01-renamed")
    summary = import_rvtools(session, _export(tmp_path, make_inventory([renamed]), "new.xlsx"))
    assert summary.added == [] and summary.removed == []
    assert summary.changed[0][0] == "web01-renamed"


def test_a_vm_without_uuids_is_matched_by_name(session, tmp_path):
    bare = make_vm(1, instance_uuid=None, bios_uuid=None)
    import_rvtools(session, _export(tmp_path, make_inventory([bare]), "old.xlsx"))
    summary = import_rvtools(session, _export(tmp_path, make_inventory([replace(bare, memory_mb=16384)]), "new.xlsx"))
    assert summary.added == [] and [name for name, _ in summary.changed] == ["web01"]


def test_an_unchanged_export_changes_nothing(session, tmp_path):
    path = _export(tmp_path, make_inventory())
    import_rvtools(session, path)
    assert import_rvtools(session, path).counts == {"added": 0, "changed": 0, "removed": 0}


def test_a_failed_save_marks_the_run_failed_and_keeps_the_earlier_inventory(session, tmp_path):
    import_rvtools(session, _export(tmp_path, make_inventory([make_vm(1)]), "old.xlsx"))
    session.commit()
    # A real failure inside the save: the change log table is gone.
    session.execute(text("DROP TABLE vm_changes"))
    with pytest.raises(DatabaseError, match=r"new.xlsx: the inventory could not be saved \(.*\): check the database, then import again"):
        import_rvtools(session, _export(tmp_path, make_inventory([make_vm(2)]), "new.xlsx"))
    runs = session.scalars(select(DiscoveryRun).order_by(DiscoveryRun.id)).all()
    assert [run.status for run in runs] == ["succeeded", "failed"]
    assert "saving the inventory failed" in runs[1].error
    assert [vm.name for vm in list_vms(session)] == ["web01"]
