"""Drill 25: the wave runs and rolls back with a privilege-separated token holding exactly the documented role,
and a token missing one privilege the run needs is refused at preflight, naming it, before anything is made.

fakepve gives a privsep token the union of its own and its user's grants (PVE intersects them), so the role
is granted to both, as `docs/proxmox-role.md` tells the operator to.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.db.execution_models import VmMigration
from migrate.db.session import session_factory
from migrate.execution.rollback import rollback
from migrate.target.privileges import REQUIRED_PRIVILEGES
from tests.execution.test_run_wave import api, assert_migrated, run
from tests.execution.wave_bed import TOKEN, services_factory
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)

USER = TOKEN.split("!")[0]


def grant_role(served_pve, without: str | None = None) -> None:
    privileges = [p for p in REQUIRED_PRIVILEGES if p != without]
    for holder in (USER, TOKEN):
        served_pve.grant(holder, "/", *privileges)


def test_a_token_with_exactly_the_role_runs_the_wave_and_rolls_it_back(bed, engine, estate, served_pve):
    _, vms, _ = estate
    grant_role(served_pve)
    result = run(engine, bed)
    assert result.outcome.failed == {}
    assert_migrated(bed, engine, vms)
    volumes = [v for m in _migrations(engine) for v in m.state["volumes"].values()]
    outcome = rollback(session_factory(engine), services_factory(bed), wave=1)
    assert outcome.failed == {} and sorted(outcome.rolled_back) == sorted(vm.name for vm in vms)
    pve = api(bed)
    assert pve.get("/cluster/resources", type="vm") == []
    assert volumes and not any(pvevm.volume_exists(pve, "pve1", v) for v in volumes)


@pytest.mark.parametrize(("privilege", "path"), [("Datastore.AllocateSpace", "/storage/tgt"),
                                                 ("SDN.Use", "/sdn/zones/localnetwork/vmbr0"),
                                                 ("VM.Config.Disk", "/vms/3[0-9]{3}")])
def test_a_token_missing_a_privilege_is_refused_at_preflight_and_nothing_is_created(bed, engine, estate,
                                                                                    served_pve, privilege, path):
    _, vms, _ = estate
    grant_role(served_pve, without=privilege)
    before = len(served_pve.requests)
    result = run(engine, bed)
    assert sorted(result.outcome.failed) == sorted(vm.name for vm in vms)
    for name, message in result.outcome.failed.items():
        assert re.match(re.escape(f"{name}: step preflight failed: the API token lacks {privilege} on ") + path + ":",
                        message), message
        assert "MigrateToolkit role" in message
    writes = [(m, p) for m, p, *_ in served_pve.requests[before:] if m in ("POST", "PUT", "DELETE")]
    assert writes == []
    assert api(bed).get("/cluster/resources", type="vm") == []
    assert served_pve.storages["tgt"]["volumes"] == {}
    assert {m.status for m in _migrations(engine)} == {"failed"}
    # The sources were only read: still on.
    from migrate.clients.vsphere import power

    conn = services_factory(bed)(None, None).vsphere
    assert {power.power_state(conn, vm.moref) for vm in vms} == {"poweredOn"}


def test_a_run_that_does_not_start_the_targets_needs_no_power_or_agent_privilege(bed, engine, estate, served_pve):
    _, vms, _ = estate
    held = [p for p in REQUIRED_PRIVILEGES if p not in ("VM.PowerMgmt", "VM.GuestAgent.Audit")]
    for holder in (USER, TOKEN):
        served_pve.grant(holder, "/", *held)
    starting = run(engine, bed, start=True)
    assert sorted(starting.outcome.failed) == sorted(vm.name for vm in vms)
    assert all(re.search(r"lacks VM\.PowerMgmt on /vms/\d+, VM\.GuestAgent\.Audit on /vms/\d+:", message)
               for message in starting.outcome.failed.values())
    assert api(bed).get("/cluster/resources", type="vm") == []
    assert run(engine, bed, start=False).outcome.failed == {}
    assert_migrated(bed, engine, vms)


def _migrations(engine) -> list[VmMigration]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(VmMigration)))


def test_a_volume_left_without_its_vm_is_named_for_an_administrator_and_the_next_rollback_finishes(
        bed, engine, estate, served_pve):
    """Destroying the toolkit's VM takes its volumes with it (VM.Allocate is enough); a journaled volume whose VM
    someone else removed can only go with Datastore.Allocate, which the role leaves out."""
    _, vms, _ = estate
    grant_role(served_pve)
    assert run(engine, bed).outcome.failed == {}
    first = sorted(_migrations(engine), key=lambda m: m.vm_name)[0]
    vmid = first.state["target"]["vmid"]
    vm = next(v for v in served_pve.vms if v.vmid == vmid)
    vm.config = {k: v for k, v in vm.config.items() if not k.startswith("scsi")}
    served_pve.vms.remove(vm)  # removed by hand, its disks left behind
    left = sorted(first.state["volumes"].values())
    outcome = rollback(session_factory(engine), services_factory(bed), wave=1)
    assert sorted(outcome.rolled_back) == sorted(vm.name for vm in vms if vm.name != first.vm_name)
    assert list(outcome.failed) == [first.vm_name]
    message = outcome.failed[first.vm_name]
    assert f"volume {left[0]} is still on storage tgt and the API token lacks Datastore.Allocate on /storage/tgt" \
        in message and f"pvesm free {left[0]}" in message
    pve = api(bed)
    assert all(pvevm.volume_exists(pve, "pve1", v) for v in left)
    from migrate.clients.vsphere import power

    source = next(v for v in vms if v.name == first.vm_name)
    assert power.power_state(services_factory(bed)(None, None).vsphere, source.moref) == "poweredOn"
    for holder in (USER, TOKEN):
        served_pve.grant(holder, "/storage/tgt", "Datastore.Allocate")  # what the administrator would do instead
    again = rollback(session_factory(engine), services_factory(bed), wave=1)
    assert again.failed == {} and list(again.rolled_back) == [first.vm_name]
    assert not any(pvevm.volume_exists(pve, "pve1", v) for v in left)
