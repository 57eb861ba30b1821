"""Issue 17's acceptance on the demo estate: wave 1 of `make demo` migrated with its VMs started, then
`migrate finalize` gives HA only to the VMs on shared storage that vSphere HA would restart, carries the estate's
DRS rule over as an HA rule, puts every VM in the chosen backup job, backs each up once and writes the evidence
workbook; a second finalize changes nothing.

What is expected is read from the estate file and the simulator, not from the toolkit: the sample estate's
cluster rules and vSphere HA overrides, and each target VM's disks and the simulator's storages."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from lab.demo import MigratedWave, run_demo
from tests.support.cli import run_cli

ESTATE = Path(__file__).parents[2] / "sample_inventory" / "estate.yaml"
FOREIGN = 900  # the customer's own VM, HA-managed and backed up before the toolkit came
JOB = {"type": "vzdump", "enabled": 1, "schedule": "21:00", "storage": "local", "mode": "snapshot",
       "vmid": str(FOREIGN)}
FOREIGN_HA = {"state": "started", "max_restart": 3, "comment": "customer's"}


def _prod_cluster() -> dict:
    estate = yaml.safe_load(ESTATE.read_text())
    return next(c for dc in estate["datacenters"] for c in dc.get("clusters", []) if c["name"] == "Prod")


def _on_shared_storage(sim, vm) -> bool:
    disks = [v for k, v in vm.config.items() if k.startswith(("scsi", "virtio", "sata", "ide", "efidisk", "tpmstate"))
             and isinstance(v, str) and ":" in v and "media=cdrom" not in v]
    return bool(disks) and all(sim.storages[d.split(":", 1)[0]].get("shared") for d in disks)


def _finalize_and_read(wave: MigratedWave, found: dict) -> None:
    sim = wave.target.simulator
    sim.add_vm(FOREIGN, "erp-legacy", node="pve1", status="running", config={"scsi0": "ceph-vm:vm-900-disk-0"})
    sim.ha_resources[f"vm:{FOREIGN}"] = dict(FOREIGN_HA)
    sim.backup_jobs["daily"] = dict(JOB)  # the customer's own job
    ours = {vm.name: vm for vm in sim.vms if vm.name.startswith("web-prd-")}
    found["vms"] = {name: (vm.vmid, vm.status, _on_shared_storage(sim, vm)) for name, vm in ours.items()}
    evidence = wave.database.parent / "wave-1-evidence.xlsx"
    args = ("finalize", "--wave", "1", "--backup-job", "daily", "--first-backup", "--evidence", str(evidence))
    env = {"MIGRATE_PVE_TOKEN_SECRET": wave.target.secret}
    found["first"] = run_cli(*args, db_url=f"sqlite:///{wave.database}", env=env)
    found["state"] = copy.deepcopy((sim.ha_resources, sim.ha_rules, sim.backup_jobs))
    found["archives"] = list(sim.backup_archives)
    found["archive_files"] = [Path(a["path"]).is_file() for a in sim.backup_archives]  # gone with the lab
    found["second"] = run_cli(*args, db_url=f"sqlite:///{wave.database}", env=env)
    found["after"] = copy.deepcopy((sim.ha_resources, sim.ha_rules, sim.backup_jobs))
    found["evidence"] = evidence


def test_finalize_of_the_demo_wave_protects_backs_up_and_documents_it_once(tmp_path, monkeypatch, capsys):
    from openpyxl import load_workbook

    monkeypatch.chdir(tmp_path)
    found: dict = {}
    assert run_demo(tmp_path / "demo", inspect=lambda wave: _finalize_and_read(wave, found), start=True) == 0
    first, second, vms = found["first"], found["second"], found["vms"]
    assert first.exit_code == 0, first.stdout + first.stderr
    assert len(vms) == 6 and all(status == "running" for _, status, _ in vms.values()), vms
    vmid = {name: v[0] for name, v in vms.items()}

    # HA: the VMs on shared storage that vSphere HA would restart (web-prd-06's override says disabled).
    prod = _prod_cluster()
    not_restarted = {o["vm"] for o in prod["ha_vms"] if o.get("restart_priority") == "disabled"}
    expected_ha = {f"vm:{vmid[n]}" for n, (_, _, shared) in vms.items() if shared and n not in not_restarted}
    ha_resources, ha_rules, jobs = found["state"]
    assert set(ha_resources) - {f"vm:{FOREIGN}"} == expected_ha and len(expected_ha) == 5, (sorted(ha_resources), vms)
    assert all(ha_resources[sid]["state"] == "started" for sid in expected_ha)
    assert ha_resources[f"vm:{FOREIGN}"] == FOREIGN_HA  # the customer's, untouched
    assert f"vm:{vmid['web-prd-06']}" not in ha_resources and "web-prd-06" in first.stdout

    # HA rules: each of the estate's DRS rules between the wave's VMs, and no other.
    drs = [r for r in prod["rules"] if set(r["vms"]) <= set(vms)]
    assert [r["name"] for r in drs] == ["web-front-apart"]
    assert len(ha_rules) == 1
    (rule,) = ha_rules.values()
    assert rule["type"] == "resource-affinity" and rule["affinity"] == "negative"
    assert set(rule["resources"].split(",")) == {f"vm:{vmid[n]}" for n in drs[0]["vms"]}

    # Backups: every migrated VM in the chosen job once, the customer's VM kept first; one archive per VM.
    members = jobs["daily"]["vmid"].split(",")
    assert members[0] == str(FOREIGN) and sorted(members[1:]) == sorted(str(v) for v in vmid.values())
    assert sorted(a["vmid"] for a in found["archives"]) == sorted(vmid.values())
    assert found["archive_files"] == [True] * 6

    # The evidence workbook: a row per VM with what finalize did and the run's first boot.
    workbook = load_workbook(found["evidence"], read_only=True)
    header, *rows = [list(r) for r in workbook["VMs"].iter_rows(values_only=True)]
    rows = {row[0]: dict(zip(header, row)) for row in rows}
    assert sorted(rows) == sorted(vms)
    for name, row in rows.items():
        assert row["Migration"] == "done" and row["Backup jobs"] == "daily", row
        assert row["First backup (finalize)"] and row["First backup (finalize)"].startswith("local:backup/"), row
        assert row["Downtime (s)"] is not None and row["Downtime (s)"] >= 0, row
        assert (row["HA resource"] == "none") == (name == "web-prd-06"), row
    assert rows["web-prd-01"]["HA rules"] == rule_id(ha_rules)
    journal = list(workbook["Journal"].iter_rows(values_only=True))[1:]
    assert sum(1 for row in journal if row[5] == "ha_resource create" and row[7] == "done") == 5

    # A second finalize changes nothing, on the target or in the backups.
    assert second.exit_code == 0, second.stderr
    assert "0 changes made" in second.stderr and "nothing to change" in second.stderr
    assert found["after"] == found["state"]
    assert second.stdout.count("backed up already: local:backup/") == 6


def rule_id(rules: dict) -> str:
    (name,) = rules
    return name
