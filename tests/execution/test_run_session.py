"""`execute_wave` when the vCenter session ends mid-run (drill 6): the run logs in again and carries on.

The simulator's `/folder` ignores the cookie, so the HTTPS copies go through a proxy that answers 401 to the
cookie of a session the test terminated (with SessionManager.TerminateSession, from a second connection).
"""

from __future__ import annotations

import subprocess
from collections import Counter

import pytest
from pyVmomi import vim
from sqlalchemy import select

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere import power
from migrate.clients.vsphere.connection import VcenterEndpoint, connect
from migrate.db.execution_models import StepRun
from migrate.db.session import session_factory
from migrate.execution.wave import execute_wave
from tests.execution.test_run_wave import assert_migrated, run
from tests.execution.wave_bed import options_of, services_factory
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.processes import CmdlineSampler
from tests.support.vcproxy import VcenterProxy, session_of


def terminate(sim, session_key: str) -> None:
    """End a session from another one, as an administrator would in the vSphere client."""
    with connect(VcenterEndpoint(sim.host, sim.username, sim.password, port=sim.port,
                                 ca_file=str(sim.ca_file))) as admin:
        admin.content.sessionManager.TerminateSession([session_key])


def key_of(conn) -> str:
    return session_of(power.session_cookie(conn))


@pytest.fixture(scope="module")
def https_estate(estate):
    """The estate with its twoGbMaxExtentSparse disk rewritten as monolithicSparse (same bytes), which qemu-img
    can read over HTTPS, so that the whole wave goes over the datastore file API."""
    _, vms, store = estate
    for disk in vms[2].disks:
        path = store / disk.file_path.partition("] ")[2]
        rewritten = path.with_name("rewritten.vmdk")
        subprocess.run(["qemu-img", "convert", "-f", "vmdk", "-O", "vmdk", "-o", "subformat=monolithicSparse",
                        str(path), str(rewritten)], check=True, capture_output=True)
        rewritten.replace(path)
    return estate


@pytest.fixture
def proxied(bed, https_estate, range_pki, sshd):
    """The bed with the vCenter reached through the refusing proxy and every datastore read over HTTPS."""
    if sshd.ca_bundle is None:
        pytest.skip("the node can trust the proxy's certificate only when the tests run as root")
    sim, _, _ = https_estate
    proxy = VcenterProxy((sim.host, sim.port), str(sim.ca_file), *range_pki)
    yield {**bed, "node_path": False, "vc_host": "127.0.0.1", "vc_port": proxy.port, "vc_ca": range_pki[0]}, proxy
    proxy.stop()


def test_a_session_ended_mid_copy_is_logged_in_again_and_the_disk_copied_again_with_a_new_cookie(
        proxied, engine, https_estate, monkeypatch):
    from migrate.execution.steps import copy_disk as step

    sim, vms, _ = https_estate
    bed, proxy = proxied
    ended: list[str] = []
    copies: Counter = Counter()
    real_progress, real_copy = step._progress, step.copy_disk

    def end_session_once(ctx, fraction):
        if fraction < 1 and not ended:  # at its first progress line the copy still has data to read
            ended.append(key_of(ctx.services.vsphere))
            terminate(sim, ended[0])
            proxy.refused.add(ended[0])  # as a vCenter would: the ended session's cookie gets 401
        real_progress(ctx, fraction)

    def counting_copy(shell, job, **kwargs):
        copies[job.target.path] += 1
        return real_copy(shell, job, **kwargs)

    monkeypatch.setattr(step, "_progress", end_session_once)
    monkeypatch.setattr(step, "copy_disk", counting_copy)
    with CmdlineSampler("vmware_soap_session") as sampler:
        result = run(engine, bed, parallel=1)
    assert result.outcome.failed == {}
    assert ended and proxy.refusals >= 1
    sessions = list(dict.fromkeys(proxy.folder_sessions))
    assert len(sessions) == 2 and sessions[0] == ended[0]  # the first cookie, then the new login's
    assert sorted(copies.values()) == [1] * (sum(len(vm.disks) for vm in vms) - 1) + [2]
    with session_factory(engine)() as session:
        rows = session.execute(select(StepRun.status, StepRun.detail).where(StepRun.step == "copy_disk")).all()
    assert {status for status, _ in rows} == {"done"}  # logged in again within the step, which did not fail
    assert [detail["retried"] for _, detail in rows].count(True) == 1  # copied again as a retry
    assert sampler.qemu_img_seen and sampler.hits == []
    assert not any(key.encode() in line for key in sessions for line in sampler.cmdlines)
    assert_migrated(bed, engine, vms)


def test_a_session_ended_between_steps_is_logged_in_again(bed, engine, estate, monkeypatch):
    sim, vms, _ = estate
    made, ended = [], []
    real_set_config = pvevm.set_config

    def factory(target, options):
        made.append(services_factory(bed)(target, options))
        return made[-1]

    def end_session_once(pve, node, vmid, **params):
        if not ended:  # attach; the next step, disconnect_source_nics, calls the vCenter
            ended.append(key_of(made[0].vsphere))
            terminate(sim, ended[0])
        return real_set_config(pve, node, vmid, **params)

    monkeypatch.setattr(pvevm, "set_config", end_session_once)
    result = execute_wave(session_factory(engine), 1, options_of(bed, parallel=1), factory)
    assert result.outcome.failed == {}
    assert key_of(made[0].vsphere) != ended[0]
    with session_factory(engine)() as session:
        failed = session.execute(select(StepRun.step, StepRun.error).where(StepRun.status == "failed")).all()
    # The refused call failed that attempt; the engine tried again and the services logged in again.
    assert [step for step, _ in failed] == ["disconnect_source_nics"]
    assert "session with vCenter" in failed[0][1] and "ended" in failed[0][1]
    assert_migrated(bed, engine, vms)
    conn = services_factory(bed)(None, options_of(bed)).vsphere
    for vm in vms:
        cards = [d for d in power.find_vm(conn, vm.moref).config.hardware.device
                 if isinstance(d, vim.vm.device.VirtualEthernetCard)]
        assert cards and not any(c.connectable.connected or c.connectable.startConnected for c in cards)
