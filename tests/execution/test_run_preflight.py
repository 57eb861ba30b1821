"""Preflight per VM, against the real fakes: what changed on the target during a wave (a bridge gone, a MAC
taken), or on the source after planning (a snapshot, a disk added or resized), refuses the VM before anything
is created for it; the journal says why, and after the cause is fixed the next run completes.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from migrate.clients.proxmox import connect
from migrate.clients.proxmox import target as pvetarget
from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere import power
from migrate.clients.vsphere.source_state import SourceDisk, SourceState
from migrate.db.execution_models import VmMigration
from migrate.db.session import session_factory
from migrate.errors import PreflightError, StalePlanError
from migrate.execution.steps.preflight import check_bridges, check_source
from tests.execution.planned import make_disk, make_nic, make_planned_vm
from tests.execution.test_run_wave import api, assert_migrated, creates, run
from tests.execution.wave_bed import SECRET, options_of, services_factory
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.pve import endpoint, set_bridges, set_vnets
from tests.support.cli import run_cli
from tests.support.vcsim_vms import add_disk, remove_disk, remove_snapshots, resize_disk, snapshot_names, take_snapshot
from tests.support.vmdk import MIB


def journal(engine) -> dict[str, VmMigration]:
    with session_factory(engine)() as session:
        return {m.vm_name: m for m in session.scalars(select(VmMigration))}


def marked_vms(bed) -> list[dict]:
    """The target's VMs carrying the toolkit's marker."""
    return [r for r in api(bed).get("/cluster/resources", type="vm") if pvevm.MARKER_TAG in str(r.get("tags"))]


def assert_refused_at_preflight(engine, name: str, *needles: str) -> None:
    migration = journal(engine)[name]
    assert (migration.status, migration.current_step) == ("failed", "preflight")
    assert all(needle in migration.error for needle in needles), migration.error
    assert "target" not in migration.state  # nothing was created for it


def source_vm(bed, moref: str):
    return power.find_vm(services_factory(bed)(None, options_of(bed)).vsphere, moref)


def after_first_create(monkeypatch, change) -> None:
    """Call `change(config)` once, right after the wave's first target VM is created with `config` (with
    parallel=1 the other VMs are still to come)."""
    real_create, first = pvevm.create_shell, []

    def create_then_change(pve, node, config, ownership):
        made = real_create(pve, node, config, ownership)
        if not first:
            first.append(ownership.vmid)
            change(config)
        return made

    monkeypatch.setattr(pvevm, "create_shell", create_then_change)


def test_a_bridge_removed_during_the_wave_refuses_the_vms_not_started_yet(bed, engine, estate, monkeypatch):
    _, vms, _ = estate
    after_first_create(monkeypatch, lambda config: set_bridges(monkeypatch, {"pve1": [("vmbr1", False)]}))
    first = run(engine, bed, parallel=1)
    assert len(first.outcome.done) == 1 and len(first.outcome.failed) == len(vms) - 1
    for name, message in first.outcome.failed.items():
        assert message.startswith(f"{name}: step preflight failed: bridge vmbr0 of net0 is not on node pve1: ")
        assert_refused_at_preflight(engine, name, "create it there (or an SDN VNet of that name)")
    assert len(marked_vms(bed)) == 1  # nothing created for the refused VMs
    set_bridges(monkeypatch, {"pve1": [("vmbr0", False)]})
    assert run(engine, bed).outcome.failed == {}
    assert_migrated(bed, engine, vms)


def test_a_foreign_vm_using_a_planned_mac_refuses_that_vm_naming_the_other(bed, engine, estate, served_pve,
                                                                           monkeypatch):
    _, vms, _ = estate
    by_mac = {vm.nics[0].mac.upper(): vm.name for vm in vms}
    pve = api(bed)
    victim: list[str] = []

    def add_foreign(created: dict):
        mac = sorted(m for m in by_mac if m not in created["net0"].upper())[0]  # a VM not created yet
        victim.append(by_mac[mac])
        pve.post("/nodes/pve1/qemu", vmid=3900, name="intruder", memory=512, net0=f"virtio={mac},bridge=vmbr0")

    after_first_create(monkeypatch, add_foreign)
    first = run(engine, bed, parallel=1)
    assert list(first.outcome.failed) == victim
    assert_refused_at_preflight(engine, victim[0], "is already used by VM 3900 ('intruder') on node pve1",
                                "change or remove that VM's NIC")
    assert len(marked_vms(bed)) == len(vms) - 1
    pve.delete("/nodes/pve1/qemu/3900")
    assert run(engine, bed).outcome.failed == {}
    assert_migrated(bed, engine, vms)
    assert creates(served_pve) == len(vms) + 1  # the intruder, and one per source


def test_each_guests_config_is_read_once_per_run_for_the_mac_checks(bed, engine, estate, served_pve):
    # On a cluster of thousands of guests, reading every config for every VM's MAC check would cost thousands
    # of calls per VM: the run reads each guest's config once and the guest list at each check.
    _, vms, _ = estate
    pve = api(bed)
    foreign = [4001, 4002, 4003, 4004]
    for index, vmid in enumerate(foreign):
        pve.post("/nodes/pve1/qemu", vmid=vmid, name=f"other-{index}", memory=512,
                 net0=f"virtio=02:00:00:00:40:{index:02x},bridge=vmbr0")
    served_pve.requests.clear()
    assert run(engine, bed, parallel=1).outcome.failed == {}
    assert_migrated(bed, engine, vms)
    reads = [path for method, path, *_ in served_pve.requests
             if method == "GET" and re.search(r"/qemu/40\d\d/config$", path)]
    # Twice per guest, whatever the number of VMs: the run's stale-plan check reads the target once, and the
    # preflights of the three VMs share one read.
    assert sorted(reads) == sorted(f"/api2/json/nodes/pve1/qemu/{vmid}/config" for vmid in foreign for _ in "12")


def test_a_source_snapshot_refuses_the_vm_until_it_is_deleted(bed, engine, estate):
    _, vms, _ = estate
    snapped = vms[1]
    take_snapshot(source_vm(bed, snapped.moref), "before patching")
    try:
        first = run(engine, bed)
        assert list(first.outcome.failed) == [snapped.name]
        assert_refused_at_preflight(engine, snapped.name, "has 1 snapshot(s) ('before patching')",
                                    "delete or consolidate the snapshots in vSphere")
        source = source_vm(bed, snapped.moref)
        assert snapshot_names(source) == ["before patching"]  # the source is left as it was
        assert power.power_state(services_factory(bed)(None, options_of(bed)).vsphere, snapped.moref) == "poweredOn"
        assert len(marked_vms(bed)) == len(vms) - 1
    finally:
        remove_snapshots(source_vm(bed, snapped.moref))
    assert run(engine, bed).outcome.failed == {}
    assert_migrated(bed, engine, vms)


@pytest.mark.parametrize("change", ["added", "resized"])
def test_a_disk_added_or_resized_after_planning_is_refused_as_a_stale_plan(bed, engine, estate, change):
    _, vms, _ = estate
    changed = vms[0]
    machine = source_vm(bed, changed.moref)
    extra = f"[LocalDS_0] {changed.name}/{changed.name}_extra.vmdk"
    if change == "added":
        add_disk(machine, extra, 4 * MIB)
        expected, undo = f"({extra}) was added after planning", lambda: remove_disk(machine, extra)
    else:
        grown = changed.disks[0].capacity_bytes + MIB
        resize_disk(machine, changed.disks[0].file_path, grown)
        planned = changed.disks[0].capacity_bytes
        expected = f"disk {changed.disks[0].file_path} is {grown} bytes now, {planned} when planned"
        undo = lambda: resize_disk(machine, changed.disks[0].file_path, planned)  # noqa: E731
    try:
        first = run(engine, bed)
        assert list(first.outcome.failed) == [changed.name]
        assert_refused_at_preflight(engine, changed.name, "the plan of", "is stale: ", expected,
                                    "discover the source and plan the wave again")
        assert len(marked_vms(bed)) == len(vms) - 1
    finally:
        undo()
    assert run(engine, bed).outcome.failed == {}
    assert_migrated(bed, engine, vms)


PLANNED = make_planned_vm("web01", disks=(
    make_disk("scsi0", source_file="[ds] web01/web01.vmdk", size_bytes=8 * MIB, source_label="Hard disk 1"),
    make_disk("efidisk0", source_file=None, size_bytes=4 * MIB, source_label=None),
))


def source_now(**overrides) -> SourceState:
    values = dict(name="web01", power_state="poweredOn", snapshots=(), consolidation_needed=False,
                  disks=(SourceDisk("Hard disk 1", "[ds] web01/web01.vmdk", 8 * MIB),))
    return SourceState(**{**values, **overrides})


def test_a_source_as_planned_passes():
    check_source(PLANNED, source_now())


@pytest.mark.parametrize("overrides, error, message", [
    ({"consolidation_needed": True}, PreflightError, "needs its disks consolidated (leftover snapshot deltas): run "
                                                     "Snapshots > Consolidate in vSphere"),
    ({"snapshots": ("a", "b")}, PreflightError, "has 2 snapshot(s) ('a', 'b')"),
    ({"disks": ()}, StalePlanError, "disk [ds] web01/web01.vmdk (Hard disk 1) is no longer on the VM"),
    ({"disks": (SourceDisk("Hard disk 1", "[ds] web01/web01.vmdk", 9 * MIB),)}, StalePlanError,
     f"disk [ds] web01/web01.vmdk is {9 * MIB} bytes now, {8 * MIB} when planned"),
    ({"disks": (SourceDisk("Hard disk 1", "[ds] web01/web01.vmdk", 8 * MIB),
                SourceDisk("Hard disk 2", "[ds] x.vmdk", 1))},
     StalePlanError, "disk Hard disk 2 ([ds] x.vmdk) was added after planning"),
])
def test_a_source_changed_after_planning_is_refused_naming_the_change(overrides, error, message):
    with pytest.raises(error) as raised:
        check_source(PLANNED, source_now(**overrides))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_vlan_tag_on_a_bridge_that_is_not_vlan_aware_refuses_every_vm_until_it_is(bed, engine, estate, db_url,
                                                                                  monkeypatch, tmp_path):
    _, vms, _ = estate
    mapping = tmp_path / "mappings" / "vc.example.com.yaml"
    mapping.write_text(mapping.read_text().replace("{bridge: vmbr0}", "{bridge: vmbr0, vlan: 20}"))
    planned = run_cli("plan", "--wave", "1", "--mappings", str(mapping.parent), "--vmid-range", "3000-3999",
                      db_url=db_url, env={"MIGRATE_PVE_TOKEN_SECRET": SECRET})
    assert planned.exit_code == 0, planned.stderr
    first = run(engine, bed)
    assert sorted(first.outcome.failed) == sorted(vm.name for vm in vms)
    for vm in vms:
        assert_refused_at_preflight(engine, vm.name, "bridge vmbr0 on node pve1 is not VLAN-aware, yet net0 is "
                                    "planned on VLAN 20: set bridge-vlan-aware yes on it")
    assert marked_vms(bed) == []
    set_bridges(monkeypatch, {"pve1": [("vmbr0", True)]})
    assert run(engine, bed).outcome.failed == {}
    assert_migrated(bed, engine, vms)
    pve = api(bed)
    assert all(",tag=20" in pvevm.vm_config(pve, "pve1", r["vmid"])["net0"] for r in marked_vms(bed))


@pytest.mark.parametrize("bridge, vlan, trunks, refusal", [
    ("vmbr0", None, None, None),
    ("vmbr0", 20, None, "bridge vmbr0 on node pve1 is not VLAN-aware, yet net0 is planned on VLAN 20"),
    ("vmbr0", None, "100-200", "bridge vmbr0 on node pve1 is not VLAN-aware, yet net0 is planned on trunk 100-200"),
    ("vmbr1", 20, None, None),
    ("vmbr1", None, "100-200", None),
    ("zone-a", None, None, None),  # an SDN VNet, not a node's bridge
    ("zone-a", 20, None, "bridge zone-a on node pve1 is not VLAN-aware"),
    ("zone-b", 20, None, None),
    ("vmbr9", None, None, "bridge vmbr9 of net0 is not on node pve1: create it there (or an SDN VNet of that name)"),
])
def test_a_nic_needs_its_bridge_or_vnet_on_the_node_vlan_aware_for_a_tag_or_trunk(fakepve, fakepve_cafile, monkeypatch,
                                                                                 bridge, vlan, trunks, refusal):
    set_bridges(monkeypatch, {"pve1": [("vmbr0", False), ("vmbr1", True)], "pve2": [("vmbr9", True)]})
    set_vnets(monkeypatch, [("zone-a", False), ("zone-b", True)])
    fakepve.add_node("pve2")
    vm = make_planned_vm(node="pve1", nics=(make_nic("net0", mac=None, bridge=bridge, vlan=vlan, trunks=trunks),))
    pve = connect(endpoint(fakepve, fakepve_cafile))
    bridges = pvetarget.node_bridges(pve, "pve1")
    if refusal is None:
        check_bridges(pve, vm, bridges)
    else:
        with pytest.raises(PreflightError, match=re.escape(refusal)):
            check_bridges(pve, vm, bridges)
