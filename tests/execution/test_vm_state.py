"""A VM's durable state: built from the journal's JSON and written back as it was, key for key."""

from __future__ import annotations

import dataclasses

import pytest

from migrate.execution.vm_state import VmState

FULL = {"source_power_state": "poweredOn", "target": {"node": "pve1", "vmid": 1000}, "source_stopped": True,
        "volumes": {"scsi0": "data:1000/vm-1000-disk-0.raw"}, "source_nics_disconnected": True,
        "target_ips": ["10.0.0.5"], "agent": True}


@pytest.mark.parametrize("stored", [
    {},
    {"source_power_state": "poweredOff"},
    FULL,
    {**FULL, "target_ips": None, "agent": False},
    {**FULL, "rolled_back": ["destroyed target VM 1000 on pve1", "powered the source on"]},
    {**FULL, "rolled_back": []},
    {"source_power_state": "poweredOn", "target_ips": ["10.0.0.5"]},  # as an early version recorded it
    {"source_power_state": "poweredOn", "copy_disk": 2},  # a key this version does not know
], ids=["untouched", "preflight", "migrated", "no-agent", "rolled-back", "nothing-undone", "ips-only", "unknown"])
def test_a_stored_state_is_written_back_unchanged_key_for_key(stored):
    written = VmState.from_dict(stored).to_dict()
    assert written == stored and list(written) == list(stored)


def test_a_state_is_written_in_new_containers_so_a_change_in_place_is_seen():
    state = VmState.from_dict(FULL)
    first = state.to_dict()
    state.volumes["scsi1"] = "data:1000/vm-1000-disk-1.raw"
    assert first["volumes"] == FULL["volumes"] and state.to_dict()["volumes"] != first["volumes"]


def test_the_rollback_records_what_it_undid_after_the_steps_state():
    state = dataclasses.replace(VmState.from_dict(FULL), rolled_back=["powered the source on"])
    assert list(state.to_dict())[-1] == "rolled_back"
