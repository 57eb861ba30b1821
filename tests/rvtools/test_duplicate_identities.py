"""The duplicate-identity drill: an export whose VMs share BIOS UUIDs (clones) and names (two folders), imported
again and again, reports no change after the first import, and every wave keeps its VMs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lab.rvtools import write_rvtools_export
from migrate.discovery.rvtools import import_rvtools
from migrate.inventory.store import list_vms
from migrate.waves.select import WaveSelection
from migrate.waves.store import create_wave, get_wave, wave_records
from tests.rvtools.rvtools_factories import make_inventory, make_vm


def _estate(trimmed: bool):
    clone_a, clone_b = make_vm(1), replace(make_vm(3), bios_uuid=make_vm(1).bios_uuid)
    prod_db = replace(make_vm(5), name="db", folder="/DC1/vm/prod")
    test_db = replace(make_vm(6), name="db", folder="/DC1/vm/test", bios_uuid=prod_db.bios_uuid)
    vms = [clone_b, clone_a, test_db, prod_db, make_vm(7)]
    if trimmed:  # an export without the VM UUID and VM ID columns' values (older RVTools, trimmed tabs)
        vms = [replace(vm, instance_uuid=None, moref=None) for vm in vms]
    return make_inventory(vms)


@pytest.mark.parametrize("trimmed", [False, True], ids=["full", "trimmed"])
def test_an_export_with_duplicate_bios_uuids_and_names_imported_three_times_changes_nothing(session, tmp_path, trimmed):
    path = write_rvtools_export(_estate(trimmed), tmp_path / "export.xlsx")
    first = import_rvtools(session, path)
    session.commit()
    assert sorted(first.added) == ["db", "db", "web01", "web03", "web07"]
    before = {(vm.id, vm.name, vm.folder) for vm in list_vms(session)}
    create_wave(session, 1, "clones", WaveSelection(names=("web03",)))
    create_wave(session, 2, "test db", WaveSelection(folders=("/DC1/vm/test",)))
    session.commit()
    members = {n: [(r.id, r.name, r.folder) for r in wave_records(session, get_wave(session, n))] for n in (1, 2)}
    for _ in range(2):
        again = import_rvtools(session, path)
        session.commit()
        assert again.counts == {"added": 0, "changed": 0, "removed": 0}
    assert {(vm.id, vm.name, vm.folder) for vm in list_vms(session, include_removed=True)} == before
    assert {n: [(r.id, r.name, r.folder) for r in wave_records(session, get_wave(session, n))] for n in (1, 2)} == members
    assert members[1][0][1] == "web03" and members[2][0][2] == "/DC1/vm/test"
