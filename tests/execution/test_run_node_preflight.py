"""Everything the copy needs of the node is checked before any source stops: the node's SSH host key, its
qemu-img, and each source disk read as the copy will read it. A run that cannot copy costs no downtime."""

from __future__ import annotations

from migrate.clients.vsphere import power
from migrate.db.session import session_factory
from migrate.execution.wave import execute_wave
from tests.execution.test_run_preflight import assert_refused_at_preflight, marked_vms
from tests.execution.test_run_wave import assert_migrated, run
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)


def _powered(bed, vms) -> list[str]:
    vsphere = services_factory(bed)(None, options_of(bed)).vsphere
    return [power.power_state(vsphere, vm.moref) for vm in vms]


def test_a_node_whose_host_key_is_missing_leaves_every_source_running_and_names_the_fix(bed, engine, estate, tmp_path):
    _, vms, _ = estate
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    unknown = {**bed, "known_hosts": str(empty)}
    before = _powered(bed, vms)
    result = execute_wave(session_factory(engine), 1, options_of(unknown), services_factory(unknown))
    assert sorted(result.outcome.failed) == sorted(vm.name for vm in vms)
    for vm in vms:
        assert_refused_at_preflight(engine, vm.name, f"is not in {empty}: add the node's key from "
                                    "/etc/ssh/ssh_host_ed25519_key.pub on the node", "not by ssh-keyscan")
    assert _powered(bed, vms) == before == ["poweredOn"] * len(vms)
    assert marked_vms(bed) == []
    assert run(engine, bed).outcome.failed == {}  # with the key known, the same wave goes through
    assert_migrated(bed, engine, vms)


def test_a_source_disk_the_node_cannot_read_is_refused_before_the_source_stops(bed, engine, estate):
    _, vms, _ = estate
    before = _powered(bed, vms)
    options = options_of(bed, datastore_paths={bed["datastore"]: "/nonexistent/mount"})
    result = execute_wave(session_factory(engine), 1, options, services_factory(bed))
    assert sorted(result.outcome.failed) == sorted(vm.name for vm in vms)
    for vm in vms:
        assert_refused_at_preflight(engine, vm.name, "reading the source /nonexistent/mount/", "failed on node")
    assert _powered(bed, vms) == before and marked_vms(bed) == []


def test_a_disk_https_cannot_carry_is_refused_before_its_source_stops(bed, engine, estate):
    """Over HTTPS the lab's split sparse disk (twoGbMaxExtentSparse) cannot be read: its VM is refused while its
    source still runs; the others go through."""
    _, vms, _ = estate
    result = execute_wave(session_factory(engine), 1, options_of(bed, datastore_paths={}), services_factory(bed))
    refused = sorted(result.outcome.failed)
    assert refused and len(refused) < len(vms)
    for name in refused:
        assert_refused_at_preflight(engine, name, "cannot be read over HTTPS",
                                    "map its datastore to the node-mounted transport")
    assert [state for vm, state in zip(vms, _powered(bed, vms)) if vm.name in refused] == ["poweredOn"] * len(refused)
