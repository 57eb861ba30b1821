"""Placing a wave: capacity, anti-affinity, VMIDs, bridges, readiness, reproducibility."""

from __future__ import annotations

import dataclasses

from migrate.inventory.model import Disk
from migrate.mapping.model import NetworkTarget
from migrate.planning.model import Plan, PlanSettings
from migrate.planning.place import place_wave
from migrate.target.model import GuestFacts
from tests.factories import make_snapshot, make_vm
from tests.planning.helpers import GIB, candidate, mappings

SETTINGS = PlanSettings(vmid_min=1000, vmid_max=1999, throughput_mib_s=100, shutdown_s=300, create_s=60, boot_s=120)


def plan(candidates, snapshot=None, **kwargs):
    return place_wave(candidates, snapshot or make_snapshot(), kwargs.pop("settings", SETTINGS), wave=1,
                      snapshot_version=1, **kwargs)


def test_vms_spread_over_the_nodes_with_most_memory_left():
    result = plan([candidate(make_vm(f"app-{i:02}", memory_mb=8192)) for i in range(3)])
    assert sorted(vm.node for vm in result.vms) == ["pve1", "pve2", "pve3"]


def test_a_vm_bigger_than_any_nodes_free_memory_is_excluded_with_the_reason():
    result = plan([candidate(make_vm("huge", memory_mb=60 * 1024))], make_snapshot(memory_gib=64, used_gib=8))
    assert result.vms == ()
    assert result.excluded[0].vm_name == "huge" and "memory free under the limit" in result.excluded[0].reason


def test_node_memory_stays_under_ninety_percent():
    # 64 GiB nodes with 8 used: 49.6 GiB may be placed per node, so three 16 GiB VMs each, not four.
    result = plan([candidate(make_vm(f"vm-{i:02}", memory_mb=16 * 1024)) for i in range(10)], make_snapshot(nodes=3))
    assert len(result.vms) == 9 and len(result.excluded) == 1


def test_storage_stays_under_eighty_percent_after_placement():
    disk = Disk(key=2000, label="Hard disk 1", capacity_bytes=500 * GIB, committed_bytes=300 * GIB, datastore="ds1",
                controller_kind="scsi")
    vms = [make_vm(f"db-{i}", disks=[dataclasses.replace(disk, file_path=f"[ds1] db-{i}/db-{i}.vmdk")]) for i in range(3)]
    result = plan([candidate(vm) for vm in vms], make_snapshot(nodes=1, storage_gib=1000))
    assert len(result.vms) == 2
    assert "storage data on pve1" in result.excluded[0].reason


def test_ceph_is_kept_under_seventy_percent():
    disk = Disk(key=2000, label="Hard disk 1", capacity_bytes=400 * GIB, committed_bytes=400 * GIB, datastore="ds1",
                controller_kind="scsi")
    vms = [make_vm(f"db-{i}", disks=[disk]) for i in range(2)]
    result = plan([candidate(vm) for vm in vms], make_snapshot(storage_gib=1000, storage_type="rbd", shared=True))
    assert len(result.vms) == 1, "a shared pool is charged once for the whole cluster"


def test_thick_lvm_is_charged_the_provisioned_size():
    disk = Disk(key=2000, label="Hard disk 1", capacity_bytes=500 * GIB, committed_bytes=10 * GIB, datastore="ds1",
                controller_kind="scsi")
    thin = plan([candidate(make_vm(f"a-{i}", disks=[disk])) for i in range(3)], make_snapshot(nodes=1))
    thick = plan([candidate(make_vm(f"a-{i}", disks=[disk])) for i in range(3)], make_snapshot(nodes=1, storage_type="lvm"))
    assert (len(thin.vms), len(thick.vms)) == (3, 1)


def test_anti_affinity_vms_land_on_different_nodes():
    vms = [candidate(make_vm(f"dc-{i}", memory_mb=1024), anti_affinity=("dc-apart",)) for i in range(3)]
    result = plan(vms + [candidate(make_vm("other", memory_mb=1024))])
    assert len({vm.node for vm in result.vms if vm.vm_name.startswith("dc-")}) == 3


def test_anti_affinity_with_more_vms_than_nodes_excludes_the_extra_vm():
    vms = [candidate(make_vm(f"dc-{i}"), anti_affinity=("dc-apart",)) for i in range(3)]
    result = plan(vms, make_snapshot(nodes=2))
    assert len(result.vms) == 2 and "anti-affinity rule 'dc-apart'" in result.excluded[0].reason


def test_vmids_come_from_the_range_and_skip_ids_taken_on_the_target():
    taken = (GuestFacts(1000, "old", "pve1"), GuestFacts(1002, "older", "pve2"))
    result = plan([candidate(make_vm(n)) for n in ("a", "b", "c")], make_snapshot(guests=taken))
    assert [(vm.proxmox_name, vm.vmid) for vm in result.vms] == [("a", 1001), ("b", 1003), ("c", 1004)]


def test_an_exhausted_vmid_range_excludes_the_vm():
    settings = dataclasses.replace(SETTINGS, vmid_min=1000, vmid_max=1000)
    result = plan([candidate(make_vm(n)) for n in ("a", "b")], settings=settings)
    assert [vm.vmid for vm in result.vms] == [1000]
    assert result.excluded[0].reason == "no free VMID left in 1000-1000"


def test_a_vm_goes_only_to_nodes_that_have_its_bridges():
    snapshot = make_snapshot(nodes=2)
    snapshot = dataclasses.replace(snapshot, bridges=tuple(b for b in snapshot.bridges if b.node == "pve2"))
    result = plan([candidate(make_vm(f"w-{i}", memory_mb=1024)) for i in range(2)], snapshot)
    assert {vm.node for vm in result.vms} == {"pve2"}


def test_a_bridge_missing_everywhere_excludes_the_vm_naming_the_bridge():
    result = plan([candidate(make_vm("w"))], make_snapshot(bridges=(("vmbr9", False),)))
    assert "bridge vmbr0 missing on pve1" in result.excluded[0].reason


def test_not_ready_vms_are_left_out_unless_forced():
    vms = [candidate(make_vm("ok")), candidate(make_vm("blocked"), verdict="Not ready")]
    assert [e.vm_name for e in plan(vms).excluded] == ["blocked"]
    assert sorted(vm.vm_name for vm in plan(vms, force=True).vms) == ["blocked", "ok"]


def test_vms_with_unmapped_networks_or_datastores_are_left_out_naming_them_unless_forced():
    vms = [candidate(make_vm("ok")), candidate(make_vm("gap"), unmapped=("network DMZ", "datastore ds9"))]
    (excluded,) = plan(vms).excluded
    assert excluded.vm_name == "gap" and excluded.reason.startswith("maps: network DMZ, datastore ds9 not mapped")
    assert sorted(vm.vm_name for vm in plan(vms, force=True).vms) == ["gap", "ok"]


def test_each_disk_gets_a_storage_and_the_config_uses_it():
    maps = mappings(storage={})  # unmapped datastore: placement picks the storage
    result = plan([candidate(make_vm("a"), maps=maps)])
    vm = result.vms[0]
    assert [(d.slot, d.storage, d.source_file) for d in vm.disks] == [("scsi0", "data", "[ds1] a/a.vmdk")]
    assert vm.config["scsi0"].startswith("data:40,")


def test_nics_carry_bridge_vlan_and_mac():
    vm = plan([candidate(make_vm("a"))]).vms[0]
    assert [(n.slot, n.bridge, n.vlan, n.mac) for n in vm.nics] == [("net0", "vmbr0", 20, "00:50:56:00:00:01")]


def test_transfer_is_used_bytes_and_times_follow_the_throughput():
    disk = Disk(key=2000, label="d", capacity_bytes=100 * GIB, committed_bytes=10 * GIB, datastore="ds1", controller_kind="scsi")
    vm = plan([candidate(make_vm("a", disks=[disk]))]).vms[0]
    assert vm.transfer_bytes == 10 * GIB and not vm.transfer_estimated
    assert vm.copy_seconds == 103  # 10 GiB at 100 MiB/s
    assert (vm.shutdown_seconds, vm.create_seconds, vm.boot_seconds) == (300, 60, 120)
    assert vm.downtime_seconds == 300 + 103 + 60 + 120


def test_a_disk_of_unknown_used_size_moves_its_provisioned_size_marked_as_an_estimate():
    disk = Disk(key=2000, label="d", capacity_bytes=1400 * GIB, committed_bytes=None, datastore="ds1",
                controller_kind="scsi")
    vm = plan([candidate(make_vm("sql", disks=[disk]))], make_snapshot(storage_gib=4000)).vms[0]
    assert vm.transfer_bytes == 1400 * GIB and vm.transfer_estimated and vm.disks[0].transfer_estimated
    assert vm.copy_seconds == 14336 and vm.downtime_seconds > 4 * 3600  # 1400 GiB at 100 MiB/s: hours, not minutes


def test_the_same_inputs_give_the_same_plan():
    vms = [make_vm(f"app-{i:03}", memory_mb=1024 * (1 + i % 5)) for i in range(60)]
    first = plan([candidate(vm) for vm in vms])
    second = plan([candidate(vm) for vm in reversed(vms)])
    assert first == second


def test_the_plan_round_trips_through_its_document():
    result = plan([candidate(make_vm("a")), candidate(make_vm("b"), verdict="Not ready")])
    assert Plan.from_dict(result.to_dict()) == result


def test_another_waves_pending_plan_books_its_vmids_memory_and_storage_first():
    snapshot = make_snapshot(nodes=1, memory_gib=64, used_gib=8)
    wave1 = plan([candidate(make_vm("a", memory_mb=40 * 1024))], snapshot)
    wave2 = place_wave([candidate(make_vm("b", memory_mb=12 * 1024)), candidate(make_vm("c", memory_mb=4 * 1024))],
                       snapshot, SETTINGS, wave=2, snapshot_version=1, pending=wave1.vms)
    assert [(vm.vm_name, vm.vmid) for vm in wave2.vms] == [("c", 1001)]
    assert [e.vm_name for e in wave2.excluded] == ["b"], "8 used + 40 pending + 12 would pass 90 % of 64 GiB"


def test_a_pending_vm_that_now_exists_on_the_target_is_not_booked_twice():
    snapshot = make_snapshot(nodes=1)
    wave1 = plan([candidate(make_vm("a"))], snapshot)
    created = dataclasses.replace(snapshot, guests=(GuestFacts(wave1.vms[0].vmid, "a", "pve1"),))
    wave2 = place_wave([candidate(make_vm("b"))], created, SETTINGS, wave=2, snapshot_version=2, pending=wave1.vms)
    assert wave2.vms[0].vmid == 1001


def test_a_candidate_nic_carries_the_trunks_its_mapping_gives():
    trunked = candidate(make_vm("a"), maps=mappings(networks={"VM Network": NetworkTarget("vmbr0", trunks="10;20-30")}))
    assert [(nic.bridge, nic.vlan, nic.trunks) for nic in trunked.nics] == [("vmbr0", None, "10;20-30")]


def test_a_windows_vm_on_virtio_by_its_conversion_keeps_its_safe_config_on_the_same_storages_in_the_plan():
    from migrate.mapping import map_vm
    from migrate.mapping.model import TargetFacts
    from migrate.planning.candidates import build_candidate

    vm = make_vm("win-01", guest_id="windows2019srv_64Guest", guest_full_name="Microsoft Windows Server 2019 (64-bit)",
                 firmware="efi", disks=[make_vm().disks[0], dataclasses.replace(make_vm().disks[0], key=2001,
                                                                               label="Hard disk 2", unit_number=1)])
    maps = mappings()
    config = map_vm(vm, maps, TargetFacts(virtio_win="/isos/virtio-win.iso"))
    (planned,) = plan([build_candidate(vm, config, "Ready", maps)]).vms

    safe = planned.guest["conversion"]["unconverted"]
    assert planned.config["boot"] == "order=scsi0" and safe["params"]["boot"] == "order=sata0"
    assert safe["slots"] == {"efidisk0": "efidisk0", "scsi0": "sata0", "scsi1": "scsi0"}
    assert all(safe["params"][safe["slots"][d.slot]].startswith(f"{d.storage}:") for d in planned.disks)
