"""The demo's planning steps on the sample estate and the simulated Proxmox cluster (no vCenter needed)."""

from __future__ import annotations

from lab.estate import estate_to_inventory, load_estate_file
from lab.pve import start_simulated_target
from migrate.mapping.source_map import mapping_file_path
from tests.factories import store_inventory
from tests.support.cli import run_cli

SAMPLE_MAP = """source: vcsa01.lab.example
networks:
  "Backup-VLAN50": {bridge: vmbr1, vlan: 50}
  "DMZ Web VLAN 200": {bridge: vmbr2, vlan: 200, firewall: true}
  "DMZ-Untagged": {bridge: vmbr2, firewall: true}
  "DR Servers VLAN 420": {bridge: vmbr1, vlan: 420}
  "DR-Mgmt-VLAN410": {bridge: vmbr1, vlan: 410}
  "Mgmt-VLAN10": {bridge: vmbr0, vlan: 10}
  "dv-app-110": {bridge: vmbr1, vlan: 110}
  "dv-db-130": {bridge: vmbr1, vlan: 130}
  "dv-dr-app-430": {bridge: vmbr1, vlan: 430}
  "dv-dr-desktops-440": {bridge: vmbr1, vlan: 440}
  "dv-dr-trunk": {bridge: vmbr1, trunks: "400-499"}
  "dv-pvlan-isolated": {bridge: vmbr2, vlan: 250, firewall: true}
  "dv-trunk-nfv": {bridge: vmbr1, trunks: "100-199;300-399"}
  "dv-web-120": {bridge: vmbr1, vlan: 120}
storage:
  "vmfs-dmz-01": {storage: ceph-vm}
  "vmfs-dr-01": {storage: ceph-vm}
  "vmfs-dr-02": {storage: ceph-vm}
  "vmfs-prod-01": {storage: ceph-vm}
  "vmfs-prod-02": {storage: ceph-vm}
"""


def test_demo_plans_wave_one_of_the_sample_estate_and_writes_its_runbook(db_url, session, tmp_path, monkeypatch):
    store_inventory(session, estate_to_inventory(load_estate_file()))
    monkeypatch.chdir(tmp_path)
    path = mapping_file_path("mappings", "vcsa01.lab.example")
    path.parent.mkdir()
    path.write_text(SAMPLE_MAP)
    with start_simulated_target(tmp_path) as target:
        env = {"MIGRATE_PVE_TOKEN_SECRET": target.secret}
        results = [(args, run_cli(*args, db_url=db_url, env=env)) for args in target.steps()]
    codes = {args[0] + " " + args[1]: result.exit_code for args, result in results}
    check, plan = results[2][1], results[4][1]
    # The simulated token holds every privilege, but the lab cluster is fine otherwise: no blocker.
    assert codes["target check"] == 0, check.stdout
    assert codes["plan --wave"] in (0, 3), plan.stderr
    assert "Web tier" in (tmp_path / "wave-1.md").read_text()
    placed = [line for line in plan.stdout.splitlines()[1:] if line.strip()]
    assert placed, plan.stderr
    assert all("ceph-vm" in line and "vmbr1.120" in line for line in placed)
    assert target.secret not in " ".join(r.stdout + r.stderr for _, r in results)
