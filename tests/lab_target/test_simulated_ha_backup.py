"""The simulated cluster keeps HA resources, HA rules and backup jobs as PVE does, and vzdump writes an archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.pve import start_simulated_target
from migrate.clients.proxmox import PveEndpoint, connect
from migrate.clients.proxmox.vm import wait_task
from migrate.errors import TargetApiError


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with start_simulated_target(tmp_path_factory.mktemp("pve")) as target:
        sim = target.simulator
        for vmid, node in ((100, "pve1"), (101, "pve2"), (102, "pve3"), (103, "pve1")):
            sim.add_vm(vmid, f"vm{vmid}", node=node, status="running", config={"scsi0": f"ceph-vm:vm-{vmid}-disk-0"})
        pve = connect(PveEndpoint(target.host, target.token_id, target.secret, target.port, str(target.ca_file)))
        yield target, pve


@pytest.fixture(autouse=True)
def clean(lab):
    yield
    sim = lab[0].simulator
    sim.ha_rules.clear()
    for sid in list(sim.ha_resources):
        sim._ha_forget(sid)
    sim.backup_jobs.clear()


def test_an_ha_resource_is_read_back_and_shown_on_its_vm(lab):
    _, pve = lab
    pve.post("/cluster/ha/resources", sid="vm:100", state="started", max_restart=2, max_relocate=1)
    assert pve.get("/cluster/ha/resources/vm:100")["max_restart"] == 2
    assert [(r["sid"], r["state"]) for r in pve.get("/cluster/ha/resources")] == [("vm:100", "started")]
    resources = {r["vmid"]: r for r in pve.get("/cluster/resources", type="vm")}
    assert resources[100].get("hastate") == "started" and "hastate" not in resources[101]


def test_a_duplicate_ha_resource_is_refused_as_pve_refuses_it(lab):
    _, pve = lab
    pve.post("/cluster/ha/resources", sid="vm:100")
    with pytest.raises(TargetApiError, match="resource ID 'vm:100' already defined"):
        pve.post("/cluster/ha/resources", sid="100")


def test_an_ha_resource_for_a_guest_that_does_not_exist_is_refused(lab):
    with pytest.raises(TargetApiError, match="resource 'vm:999' does not exist in cluster"):
        lab[1].post("/cluster/ha/resources", sid="vm:999")


def test_an_ha_resource_is_updated_and_deleted(lab):
    _, pve = lab
    pve.post("/cluster/ha/resources", sid="vm:101", state="started")
    pve.put("/cluster/ha/resources/vm:101", state="stopped", comment="maintenance")
    assert pve.get("/cluster/ha/resources/vm:101")["state"] == "stopped"
    pve.delete("/cluster/ha/resources/vm:101")
    assert pve.get("/cluster/ha/resources") == []
    with pytest.raises(TargetApiError, match="resource 'vm:101' is not HA managed"):
        pve.delete("/cluster/ha/resources/vm:101")


def test_ha_rules_of_both_kinds_are_read_back(lab):
    _, pve = lab
    for sid in ("vm:100", "vm:101"):
        pve.post("/cluster/ha/resources", sid=sid)
    pve.post("/cluster/ha/rules", rule="apart", type="resource-affinity", resources="vm:100,vm:101",
             affinity="negative", comment="from DRS")
    pve.post("/cluster/ha/rules", rule="pin", type="node-affinity", resources="vm:100", nodes="pve1:2,pve2",
             strict=1)
    rules = {r["rule"]: r for r in pve.get("/cluster/ha/rules")}
    assert rules["apart"]["affinity"] == "negative" and rules["apart"]["resources"] == "vm:100,vm:101"
    assert rules["pin"]["nodes"] == "pve1:2,pve2" and rules["pin"]["strict"] == 1
    assert [r["rule"] for r in pve.get("/cluster/ha/rules", type="node-affinity")] == ["pin"]


@pytest.mark.parametrize("params, message", [
    (dict(type="resource-affinity", resources="vm:100,vm:109", affinity="negative"), "unmanaged resource"),
    (dict(type="node-affinity", resources="vm:100", nodes="pve9"), "non-existant node"),
    (dict(type="resource-affinity", resources="vm:100", affinity="positive"), "less than two resources"),
    (dict(type="resource-affinity", resources="vm:100,vm:101,vm:102,vm:103", affinity="negative"),
     "more resources than available nodes"),
    (dict(type="resource-affinity", resources="vm:100,vm:101"), "affinity"),
    (dict(type="node-affinity", resources="vm:100", nodes="pve1", colour="red"), "colour"),
    (dict(resources="vm:100,vm:101", affinity="negative"), "type"),
])
def test_a_wrong_ha_rule_is_refused_naming_the_problem(lab, params, message):
    _, pve = lab
    for sid in ("vm:100", "vm:101", "vm:102", "vm:103"):
        pve.post("/cluster/ha/resources", sid=sid)
    with pytest.raises(TargetApiError, match=message):
        pve.post("/cluster/ha/rules", rule="r1", **params)
    assert pve.get("/cluster/ha/rules") == []


def test_a_duplicate_ha_rule_is_refused_and_deleting_a_resource_purges_it_from_rules(lab):
    _, pve = lab
    for sid in ("vm:100", "vm:101", "vm:102"):
        pve.post("/cluster/ha/resources", sid=sid)
    pve.post("/cluster/ha/rules", rule="apart", type="resource-affinity", resources="vm:100,vm:101,vm:102",
             affinity="negative")
    with pytest.raises(TargetApiError, match="HA rule 'apart' already defined"):
        pve.post("/cluster/ha/rules", rule="apart", type="resource-affinity", resources="vm:100,vm:101",
                 affinity="positive")
    pve.delete("/cluster/ha/resources/vm:102")
    assert pve.get("/cluster/ha/rules/apart")["resources"] == "vm:100,vm:101"


def test_a_backup_job_is_created_updated_and_read_back(lab):
    _, pve = lab
    pve.post("/cluster/backup", id="daily", schedule="21:00", storage="local", vmid="100", mode="snapshot")
    pve.put("/cluster/backup/daily", vmid="100,101")
    job = pve.get("/cluster/backup/daily")
    assert (job["vmid"], job["schedule"], job["storage"], job["enabled"]) == ("100,101", "21:00", "local", 1)
    assert [j["id"] for j in pve.get("/cluster/backup")] == ["daily"]


@pytest.mark.parametrize("params, message", [
    (dict(id="daily", schedule="21:00", storage="local", vmid="100"), "already exists"),
    (dict(id="other", schedule="21:00", storage="local"), "vmid"),
    (dict(id="other", schedule="21:00", storage="local", all=1, vmid="100"), "conflicts"),
    (dict(id="other", schedule="21:00", storage="ceph-vm", vmid="100"), "wrong content type"),
])
def test_a_wrong_backup_job_is_refused_as_pve_refuses_it(lab, params, message):
    _, pve = lab
    pve.post("/cluster/backup", id="daily", schedule="21:00", storage="local", vmid="100")
    with pytest.raises(TargetApiError, match=message):
        pve.post("/cluster/backup", **params)
    with pytest.raises(TargetApiError, match="no such vzdump job"):
        pve.put("/cluster/backup/nightly", vmid="101")


def test_vzdump_writes_an_archive_and_its_task_ends_ok(lab):
    target, pve = lab
    upid = pve.post("/nodes/pve2/vzdump", vmid="101", storage="local", mode="snapshot", compress="zstd")
    wait_task(pve, "pve2", upid, "backup of VM 101")
    assert pve.get(f"/nodes/pve2/tasks/{upid}/status")["exitstatus"] == "OK"
    archive = target.simulator.backup_archives[-1]
    assert archive["volid"].startswith("local:backup/vzdump-qemu-101-") and archive["volid"].endswith(".vma.zst")
    assert json.loads(Path(archive["path"]).read_text())["vmid"] == 101
    listed = pve.get("/nodes/pve2/storage/local/content", content="backup", vmid=101)
    assert [(item["volid"], item["vmid"], item["format"]) for item in listed] == [(archive["volid"], 101, "vma.zst")]
    assert Path(archive["path"]).is_relative_to(Path(target.ca_file).parent)
    with pytest.raises(TargetApiError, match="not on node"):
        pve.post("/nodes/pve1/vzdump", vmid="101", storage="local")


def test_destroying_a_vm_with_purge_takes_it_out_of_ha_and_backup_jobs(lab):
    target, pve = lab
    target.simulator.add_vm(105, "gone", node="pve1", status="stopped", config={})
    pve.post("/cluster/ha/resources", sid="vm:105", state="stopped")
    pve.post("/cluster/backup", id="daily", schedule="21:00", storage="local", vmid="100,105")
    with pytest.raises(TargetApiError, match="used in HA resources"):
        pve.delete("/nodes/pve1/qemu/105")
    wait_task(pve, "pve1", pve.delete("/nodes/pve1/qemu/105", purge=1), "destroying VM 105")
    assert pve.get("/cluster/ha/resources") == [] and pve.get("/cluster/backup/daily")["vmid"] == "100"


def test_an_unknown_backup_job_is_a_parameter_error_as_on_pve(lab):
    with pytest.raises(TargetApiError, match=r"400 .*No such job 'weekly'"):
        lab[1].get("/cluster/backup/weekly")
