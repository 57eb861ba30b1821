"""The committed RVTools export of the sample estate is current and written from the estate."""

from __future__ import annotations

from dataclasses import asdict

from lab.estate import estate_to_inventory, load_estate_file
from lab.export import REGENERATE, SAMPLE_EXPORT, write_sample_rvtools
from migrate.discovery.rvtools import read_rvtools


def test_committed_sample_export_matches_a_fresh_one(tmp_path):
    fresh = read_rvtools(write_sample_rvtools(tmp_path / "fresh.xlsx")).inventory
    committed = read_rvtools(SAMPLE_EXPORT).inventory
    assert fresh.origin.lacks == committed.origin.lacks  # the origins differ by file name and time only
    fresh.origin = committed.origin = None
    assert asdict(committed) == asdict(fresh), (
        f"{SAMPLE_EXPORT.name} is stale (the estate or the RVTools writer changed): run `{REGENERATE}` and commit it"
    )


def test_sample_export_holds_every_estate_vm_with_its_disks_and_nics(tmp_path):
    estate = estate_to_inventory(load_estate_file())
    exported = read_rvtools(write_sample_rvtools(tmp_path / "fresh.xlsx")).inventory
    expected = {vm.name: (len(vm.disks), [n.network for n in vm.nics]) for vm in estate.vms}
    assert {vm.name: (len(vm.disks), [n.network for n in vm.nics]) for vm in exported.vms} == expected
    assert exported.source == estate.source


def test_export_main_writes_the_given_path(tmp_path, capsys):
    from lab.export import main

    assert main([str(tmp_path / "out.xlsx")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "out.xlsx")
    assert read_rvtools(tmp_path / "out.xlsx").inventory.vms
