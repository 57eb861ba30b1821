"""`migrate plan --wave N` end to end: inventory and wave in the database, target discovered from fakepve."""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy import select

from migrate.db.plan_models import PlanRecord, PlanVm
from migrate.inventory.model import Cluster, ClusterRule, Disk
from migrate.planning.model import Plan
from migrate.planning.stale import plan_is_stale
from migrate.target.model import TargetSnapshot
from tests.factories import make_inventory, store_inventory
from tests.factories import make_vm as factory_vm
from tests.support.cli import run_cli
from tests.support.pve import GIB, SECRET, TOKEN_ID, add_nodes, add_storage, endpoint, set_bridges, set_vnets

ENV = {"MIGRATE_PVE_TOKEN_SECRET": SECRET}
MAPPING = """source: vc.example.com
networks:
  "VM Network": {bridge: vmbr1, vlan: 20}
storage:
  "ds1": {storage: data}
"""


def _disk(name, used_gib=10):
    return [Disk(key=2000, label="Hard disk 1", capacity_bytes=40 * GIB, committed_bytes=used_gib * GIB, datastore="ds1",
                 file_path=f"[ds1] {name}/{name}.vmdk", controller_kind="scsi", controller_model="pvscsi")]


_macs = iter(range(1, 256))


def make_vm(name, **overrides):
    """A factory VM with a MAC of its own (the same MAC twice is a readiness blocker, NET-04)."""
    vm = factory_vm(name, **overrides)
    vm.nics = [dataclasses.replace(vm.nics[0], mac=f"00:50:56:00:01:{next(_macs):02x}")]
    return vm


def _setup(db_url, session, fakepve, cafile, monkeypatch, tmp_path, vms, clusters=(), nodes=3):
    inventory = make_inventory(*vms)
    inventory.clusters = list(clusters)
    store_inventory(session, inventory)
    (tmp_path / "vc.example.com.yaml").write_text(MAPPING)
    add_nodes(fakepve, nodes)
    add_storage(fakepve, "data", tmp_path / "data", total_gib=1000)
    set_bridges(monkeypatch, {f"pve{i}": [("vmbr0", False), ("vmbr1", True)] for i in range(1, nodes + 1)})
    ep = endpoint(fakepve, cafile)
    assert run_cli("target", "add", "pve-prod", "--api", f"{ep.host}:{ep.port}", "--token-id", TOKEN_ID,
                   "--ca-file", cafile, db_url=db_url).exit_code == 0
    found = run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV)
    assert found.exit_code == 0, found.stderr


def _plan(db_url, tmp_path, *extra):
    return run_cli("plan", "--wave", "1", "--mappings", str(tmp_path), "--vmid-range", "2000-2999", *extra, db_url=db_url)


def test_plan_places_a_wave_on_a_three_node_cluster_and_stores_it(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    fakepve.add_vm(node="pve1", vmid=2000, name="old", config={"net0": "virtio=BC:24:11:00:00:09,bridge=vmbr0"})
    vms = [make_vm(f"web-{i:02}", memory_mb=1024, disks=_disk(f"web-{i:02}")) for i in range(3)]
    rule = ClusterRule("web-apart", "anti-affinity", True, True, [vm.name for vm in vms])
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms, [Cluster("Prod", rules=[rule])])
    assert run_cli("wave", "create", "1", "--name", "Web", "--pattern", "web-*", db_url=db_url).exit_code == 0

    result = _plan(db_url, tmp_path, "--format", "json")

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    plan = Plan.from_dict(document)
    assert sorted(vm.node for vm in plan.vms) == ["pve1", "pve2", "pve3"]
    assert [vm.vmid for vm in plan.vms] == [2001, 2002, 2003]
    vm = plan.vms[0]
    assert vm.config["scsi0"].startswith("data:40,") and vm.config["net0"].endswith("bridge=vmbr1,tag=20")
    assert [(n.bridge, n.vlan) for n in vm.nics] == [("vmbr1", 20)]
    assert vm.transfer_bytes == 10 * GIB and vm.copy_seconds == 103
    assert session.scalars(select(PlanVm.vmid).order_by(PlanVm.vmid)).all() == [2001, 2002, 2003]
    assert "wave 1 plan 1: 3 VMs placed, 0 left out" in result.stderr


def test_planning_again_shows_the_latest_plan_until_an_input_changes_or_replan_is_asked(
        db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    vms = [make_vm(f"app-{i}", memory_mb=512 * (i + 1), disks=_disk(f"app-{i}", used_gib=i + 1)) for i in range(6)]
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms)
    run_cli("wave", "create", "1", "--pattern", "app-*", db_url=db_url)
    assert _plan(db_url, tmp_path).exit_code == 0

    shown = _plan(db_url, tmp_path)
    other_settings = _plan(db_url, tmp_path, "--throughput", "300")
    replanned = _plan(db_url, tmp_path, "--replan")

    assert shown.exit_code == other_settings.exit_code == replanned.exit_code == 0
    assert "plan 1 of wave 1 is unchanged" in shown.stderr and "--replan" not in shown.stderr
    assert "the settings given differ from its own: add --replan to apply them" in other_settings.stderr
    assert "stored plan 2 (--replan)" in replanned.stderr
    records = session.scalars(select(PlanRecord).order_by(PlanRecord.version)).all()
    assert [r.version for r in records] == [1, 2]
    assert records[0].digest == records[1].digest and records[0].document == records[1].document


def test_a_changed_mapping_file_target_or_wave_document_plans_again_and_says_which(
        db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    vms = [make_vm(f"app-{i}", memory_mb=1024, disks=_disk(f"app-{i}")) for i in range(2)]
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms)
    run_cli("wave", "create", "1", "--pattern", "app-*", db_url=db_url)
    assert _plan(db_url, tmp_path).exit_code == 0
    mapping = tmp_path / "vc.example.com.yaml"
    mapping.write_text(mapping.read_text().replace("vlan: 20", "vlan: 30"))
    after_map = _plan(db_url, tmp_path, "--format", "json")
    assert run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV).exit_code == 0
    after_target = _plan(db_url, tmp_path)
    assert run_cli("wave", "add", "1", "app-1", db_url=db_url).exit_code == 0  # already in: no change
    unchanged = _plan(db_url, tmp_path)

    assert "stored plan 2: changed since plan 1: mappings" in after_map.stderr
    assert json.loads(after_map.stdout)["vms"][0]["nics"][0]["vlan"] == 30
    assert "stored plan 3: changed since plan 2: target" in after_target.stderr
    assert "plan 3 of wave 1 is unchanged" in unchanged.stderr


def test_a_vm_on_an_unmapped_network_is_left_out_naming_the_maps(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    vms = [make_vm("ok", disks=_disk("ok")), make_vm("dmz", disks=_disk("dmz"))]
    vms[1].nics[0].network = "DMZ"
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms)
    run_cli("wave", "create", "1", "--vm", "ok", "--vm", "dmz", db_url=db_url)

    result = _plan(db_url, tmp_path)
    assert result.exit_code == 3
    assert "left out: dmz: maps: network DMZ not mapped" in result.stderr
    assert "ok" in result.stdout and "dmz" not in result.stdout


def test_not_ready_vms_are_left_out_and_listed_unless_forced(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    shared = _disk("ok")[0]
    multiwriter = Disk(**{**shared.__dict__, "sharing": "sharingMultiWriter", "file_path": "[ds1] mw/mw.vmdk"})
    vms = [make_vm("ok", disks=_disk("ok")), make_vm("blocked", disks=[multiwriter])]
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms)
    run_cli("wave", "create", "1", "--vm", "ok", "--vm", "blocked", db_url=db_url)

    result = _plan(db_url, tmp_path)
    assert result.exit_code == 3
    assert "left out: blocked: readiness: Not ready (DSK-" in result.stderr
    assert "ok" in result.stdout and "blocked" not in result.stdout
    assert result.stderr.splitlines()[-1] == ("migrate: error: 1 VM of wave 1 was left out of plan 1 (listed above): "
                                              "fix what is listed, or plan with --force for the Not ready ones")
    forced = _plan(db_url, tmp_path, "--force")
    assert forced.exit_code == 0 and "blocked" in forced.stdout


def test_a_full_storage_leaves_the_vm_out_and_a_filled_one_makes_the_plan_stale(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    vms = [make_vm("big", memory_mb=1024, disks=_disk("big", used_gib=30)),
           make_vm("small", memory_mb=1024, disks=_disk("small", used_gib=5))]
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms, nodes=1)
    fakepve.storages["data"]["avail"] = 230 * GIB  # 1000 GiB, 770 used: 30 GiB left under 80 %
    run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV)
    run_cli("wave", "create", "1", "--vm", "big", "--vm", "small", db_url=db_url)

    result = _plan(db_url, tmp_path)
    assert result.exit_code == 3 and "left out: small: no node fits: storage data on pve1 has not 5.0 GiB free" in result.stderr

    fakepve.storages["data"]["avail"] = 10 * GIB
    run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV)
    from migrate.db.plan_models import TargetSnapshotRecord
    fresh = session.scalars(select(TargetSnapshotRecord).order_by(TargetSnapshotRecord.version.desc())).first()
    plan = Plan.from_dict(session.scalars(select(PlanRecord)).one().document)
    assert plan_is_stale(plan, TargetSnapshot.from_dict(fresh.facts)) == [
        "storage data on pve1 has 10.0 GiB free, the plan needs 30.0 GiB: free space or plan the wave again"]


def test_a_missing_bridge_leaves_the_vm_out_naming_the_bridge(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, [make_vm("web", disks=_disk("web"))], nodes=2)
    set_bridges(monkeypatch, {"pve1": [("vmbr0", False)], "pve2": [("vmbr0", False)]})
    run_cli("target", "discover", "pve-prod", db_url=db_url, env=ENV)
    run_cli("wave", "create", "1", "--vm", "web", db_url=db_url)
    result = _plan(db_url, tmp_path)
    assert result.exit_code == 3 and "bridge vmbr1 missing on pve1; bridge vmbr1 missing on pve2" in result.stderr


def test_plan_without_a_discovered_target_or_wave_says_what_to_run(db_url, session, fakepve, fakepve_cafile, tmp_path):
    store_inventory(session, make_inventory(make_vm("a")))
    run_cli("wave", "create", "1", "--vm", "a", db_url=db_url)
    no_target = _plan(db_url, tmp_path)
    assert no_target.exit_code == 1 and "migrate target add" in no_target.stderr
    ep = endpoint(fakepve, fakepve_cafile)
    run_cli("target", "add", "t", "--api", f"{ep.host}:{ep.port}", "--token-id", TOKEN_ID, db_url=db_url)
    undiscovered = _plan(db_url, tmp_path)
    assert undiscovered.exit_code == 1 and "run `migrate target discover t`" in undiscovered.stderr
    no_wave = run_cli("plan", "--wave", "9", db_url=db_url)
    assert no_wave.exit_code == 1 and "wave 9 does not exist" in no_wave.stderr
    bad_range = _plan(db_url, tmp_path, "--vmid-range", "5-1")
    assert bad_range.exit_code == 2 and "FIRST-LAST" in bad_range.stderr


def test_two_planned_waves_never_share_a_vmid(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    vms = [make_vm(f"a-{i}", memory_mb=512, disks=_disk(f"a-{i}")) for i in range(2)]
    vms += [make_vm(f"b-{i}", memory_mb=512, disks=_disk(f"b-{i}")) for i in range(2)]
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms)
    run_cli("wave", "create", "1", "--pattern", "a-*", db_url=db_url)
    run_cli("wave", "create", "2", "--pattern", "b-*", db_url=db_url)
    assert _plan(db_url, tmp_path).exit_code == 0
    second = run_cli("plan", "--wave", "2", "--mappings", str(tmp_path), "--vmid-range", "2000-2999", db_url=db_url)
    assert second.exit_code == 0, second.stderr
    rows = session.execute(select(PlanVm.vm_name, PlanVm.vmid).order_by(PlanVm.vmid)).all()
    assert [tuple(r) for r in rows] == [("a-0", 2000), ("a-1", 2001), ("b-0", 2002), ("b-1", 2003)]


def test_a_network_mapped_to_an_sdn_vnet_is_planned_onto_it(db_url, session, fakepve, fakepve_cafile, monkeypatch,
                                                             tmp_path):
    set_vnets(monkeypatch, [("vnet20", False)])
    vms = [make_vm("app-01", memory_mb=1024, disks=_disk("app-01"))]
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms)
    (tmp_path / "vc.example.com.yaml").write_text(MAPPING.replace("{bridge: vmbr1, vlan: 20}", "{bridge: vnet20}"))
    assert run_cli("wave", "create", "1", "--vm", "app-01", db_url=db_url).exit_code == 0
    result = _plan(db_url, tmp_path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    planned = session.scalars(select(PlanRecord)).one().document["vms"]
    assert [nic["bridge"] for nic in planned[0]["nics"]] == ["vnet20"]


def test_the_wave_documents_node_and_name_are_what_the_plan_uses(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    vms = [make_vm(f"app-{i}", memory_mb=1024, disks=_disk(f"app-{i}")) for i in range(3)]
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms)
    run_cli("wave", "create", "1", "--pattern", "app-*", db_url=db_url)
    sheet = tmp_path / "waves.csv"
    assert run_cli("wave", "export", "--csv", str(sheet), "--mappings", str(tmp_path), db_url=db_url).exit_code == 0
    text = sheet.read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(",")
    rows = [dict(zip(header, line.split(","))) for line in text[1:]]
    for row in rows:
        row["node"] = "pve3"
    rows[0]["proxmox_name"] = "billing-app"
    rows[2]["node"] = "pve9"
    sheet.write_text("\n".join([",".join(header)] + [",".join(row[c] for c in header) for row in rows]) + "\n")
    assert run_cli("wave", "import", "--csv", str(sheet), "--mappings", str(tmp_path), "--yes", db_url=db_url).exit_code == 0

    result = _plan(db_url, tmp_path, "--format", "json")

    assert result.exit_code == 3
    plan = Plan.from_dict(json.loads(result.stdout))
    assert sorted((vm.vm_name, vm.proxmox_name, vm.node) for vm in plan.vms) == [
        ("app-0", "billing-app", "pve3"), ("app-1", "app-1", "pve3")]
    assert ("left out: app-2: node pve9 (chosen in the wave document) is not an online node of the target: "
            "choose one of pve1, pve2, pve3") in result.stderr


def test_the_plan_carries_each_vms_warnings_for_its_runbook(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path):
    vms = [make_vm("app-0", memory_mb=1024, disks=_disk("app-0"), power_state="poweredOn", tools_running="guestToolsNotRunning"),
           make_vm("app-1", memory_mb=1024, disks=_disk("app-1"), power_state="poweredOn", tools_running="guestToolsRunning")]
    _setup(db_url, session, fakepve, fakepve_cafile, monkeypatch, tmp_path, vms)
    run_cli("wave", "create", "1", "--pattern", "app-*", db_url=db_url)

    result = _plan(db_url, tmp_path, "--format", "json")

    assert result.exit_code == 0, result.stderr
    checks = {vm.vm_name: [check.rule_id for check in vm.checks] for vm in Plan.from_dict(json.loads(result.stdout)).vms}
    assert "TLS-01" in checks["app-0"] and "TLS-01" not in checks["app-1"]
