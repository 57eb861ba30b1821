"""After the first start, a static address that did not come back is flagged: in the journal, `migrate status`
and the run's own words. DHCP addresses are not compared, and a guest without an agent is not judged."""

from __future__ import annotations

import json

from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import VmMigration
from migrate.db.models import VmRecord
from migrate.db.session import session_factory
from migrate.execution.boot_check import missing_addresses, static_addresses
from tests.execution.test_run_wave import run
from tests.execution.wave_bed import SECRET
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.cli import run_cli


def test_only_static_addresses_are_expected_and_compared_as_addresses():
    guest = {"known_ips": [{"address": "10.1.2.3", "origin": "manual"}, {"address": "10.9.9.9", "origin": "dhcp"},
                           {"address": "fd00:0::5", "origin": "manual"}, {"address": "10.7.7.7", "origin": None}]}
    assert static_addresses(guest) == ["10.1.2.3", "fd00:0::5"]
    assert static_addresses({"static_ips": [{"address": "10.1.2.3"}]}) == ["10.1.2.3"]  # a plan from before known_ips
    assert missing_addresses(["10.1.2.3", "fd00:0::5"], ["fd00::5", "192.0.2.10"]) == ["10.1.2.3"]
    assert missing_addresses([], ["192.0.2.10"]) == []


def _give_static_address(session, vm, address: str) -> None:
    record = session.scalar(select(VmRecord).where(VmRecord.moref == vm.moref))
    facts = json.loads(json.dumps(record.facts))
    facts["nics"][0]["ip_addresses"] = [{"address": address, "prefix_length": 24, "origin": "manual"}]
    record.facts = facts
    session.commit()


def test_a_guest_back_without_its_static_address_is_flagged_and_one_with_it_is_not(bed, engine, estate, db_url,
                                                                                   served_pve, monkeypatch, tmp_path):
    _, vms, _ = estate
    lost, kept = vms[0], vms[1]
    with session_factory(engine)() as session:
        _give_static_address(session, lost, "10.1.2.3")
        _give_static_address(session, kept, "192.0.2.10")  # what the simulated guest agent reports
    planned = run_cli("plan", "--wave", "1", "--mappings", str(tmp_path / "mappings"), "--vmid-range", "3000-3999",
                      db_url=db_url, env={"MIGRATE_PVE_TOKEN_SECRET": SECRET})
    assert planned.exit_code == 0 and "changed since plan 1: inventory" in planned.stderr, planned.stderr
    real_start = pvevm.start

    def start(pve, node, vmid):  # every guest has an agent, reporting fakepve's 192.0.2.10
        real_start(pve, node, vmid)
        served_pve.vm(vmid).agent = {}

    monkeypatch.setattr(pvevm, "start", start)

    result = run(engine, bed, agent_timeout=5)

    assert result.outcome.failed == {} and result.no_agent == []
    assert result.ips_missing == {lost.name: ["10.1.2.3"]}
    with session_factory(engine)() as session:
        states = {m.vm_name: m.state for m in session.scalars(select(VmMigration))}
    assert states[lost.name]["ips_missing"] == ["10.1.2.3"] and "ips_missing" not in states[kept.name]
    rows = {row["vm"]: row for row in json.loads(run_cli("status", "--wave", "1", "--format", "json",
                                                         db_url=db_url).stdout)}
    assert rows[lost.name]["ips_missing"] == ["10.1.2.3"] and rows[kept.name]["ips_missing"] == []
