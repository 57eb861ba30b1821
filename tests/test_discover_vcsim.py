"""`migrate discover` against govmomi's vCenter simulator: real SOAP, real TLS, real pyvmomi."""

from __future__ import annotations

import hashlib
import http.server
import json
import ssl
import threading
import time

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim
from sqlalchemy import select, text

from migrate.db.models import DiscoveryRun
from migrate.errors import ExitCode
from lab.vcsim import start_vcsim
from tests.support.cli import run_cli
from tests.support.tcpproxy import CuttingProxy, SilentServer

pytestmark = pytest.mark.vcsim

MODEL = {"dc": 2, "cluster": 1, "host": 2, "standalone-host": 1, "vm": 5, "ds": 1, "pg": 2}


@pytest.fixture(scope="module")
def vcsim():
    with start_vcsim(model=MODEL) as sim:
        yield sim


@pytest.fixture
def fresh_vcsim():
    """A simulator of its own, for tests that change the estate."""
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 1, "vm": 3, "ds": 1, "pg": 1}) as sim:
        yield sim


def discover_args(sim, host: str | None = None, port: int | None = None, trust: tuple[str, ...] | None = None):
    trust = ("--ca-file", str(sim.ca_file)) if trust is None else trust
    return ("discover", "--vcenter", f"{host or sim.host}:{port or sim.port}", "--user", sim.username, *trust)


def password_env(sim) -> dict[str, str]:
    return {"MIGRATE_VCENTER_PASSWORD": sim.password}


def api_vms(sim) -> dict[str, vim.VirtualMachine]:
    """The simulator's VMs as pyvmomi sees them, by name (test-side ground truth)."""
    si = connect_pyvmomi(sim)
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
    return {vm.name: vm for vm in view.view}


def connect_pyvmomi(sim):
    context = ssl.create_default_context(cafile=str(sim.ca_file))
    return SmartConnect(host=sim.host, port=sim.port, user=sim.username, pwd=sim.password, sslContext=context)


def inventory_json(db_url: str) -> list[dict]:
    result = run_cli("inventory", "list", "--format", "json", db_url=db_url)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_discover_records_every_vm_of_every_datacenter(vcsim, db_url):
    result = run_cli(*discover_args(vcsim), db_url=db_url, env=password_env(vcsim))
    assert result.exit_code == ExitCode.OK, result.stderr
    expected = api_vms(vcsim)
    vms = inventory_json(db_url)
    assert sorted(vm["name"] for vm in vms) == sorted(expected)
    assert {vm["datacenter"] for vm in vms} == {"DC0", "DC1"}
    assert f"{len(expected)} VMs" in result.stdout
    assert "first discovery" in result.stdout


def test_discover_resolves_references_to_names(vcsim, db_url):
    run_cli(*discover_args(vcsim), db_url=db_url, env=password_env(vcsim))
    vm = next(v for v in inventory_json(db_url) if v["name"] == "DC0_C0_RP0_VM0")
    truth = api_vms(vcsim)["DC0_C0_RP0_VM0"]
    assert vm["instance_uuid"] == truth.config.instanceUuid
    assert vm["bios_uuid"] == truth.config.uuid
    assert vm["moref"] == truth._moId
    assert vm["folder"] == "/DC0/vm"
    assert vm["cluster"] == "DC0_C0"
    assert vm["host"] == truth.runtime.host.name
    assert vm["num_cpu"] == truth.config.hardware.numCPU
    assert vm["memory_mb"] == truth.config.hardware.memoryMB
    disk = vm["disks"][0]
    assert disk["datastore"] == "LocalDS_0"
    assert disk["file_path"].startswith("[LocalDS_0] ")
    assert disk["controller_kind"] == "scsi" and disk["controller_model"] == "pvscsi"
    nic = vm["nics"][0]
    truth_nic = next(d for d in truth.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard))
    assert nic["mac"] == truth_nic.macAddress
    assert nic["network_kind"] == "distributed" and nic["network"] == "DC0_DVPG0"


def test_uplink_portgroups_are_not_recorded_as_vm_networks(vcsim, db_url, engine):
    run_cli(*discover_args(vcsim), db_url=db_url, env=password_env(vcsim))
    with engine.connect() as connection:
        names = set(connection.scalars(text("SELECT name FROM networks")))
    assert {"DC0_DVPG0", "DC0_DVPG1", "VM Network"} <= names
    assert not any("DVUplinks" in name for name in names)


def test_round_trips_grow_with_pages_not_with_vms(db_url):
    trips = []
    for vms in (1, 20):
        with start_vcsim(model={"dc": 1, "cluster": 1, "host": 2, "vm": vms, "ds": 1}) as sim:
            result = run_cli(*discover_args(sim), db_url=db_url, env=password_env(sim))
            assert result.exit_code == 0, result.stderr
            trips.append(int(result.stdout.split("(")[1].split(" round trips")[0]))
    assert trips[0] == trips[1]


def test_rediscovery_reports_added_changed_and_removed_vms(fresh_vcsim, db_url):
    env = password_env(fresh_vcsim)
    assert run_cli(*discover_args(fresh_vcsim), db_url=db_url, env=env).exit_code == 0
    vms = api_vms(fresh_vcsim)
    names = sorted(vms)
    _wait(vms[names[0]].Rename_Task("renamed-vm"))
    _wait(vms[names[1]].PowerOffVM_Task())
    _wait(vms[names[2]].PowerOffVM_Task())
    _wait(vms[names[2]].Destroy_Task())
    result = run_cli(*discover_args(fresh_vcsim), db_url=db_url, env=env)
    assert result.exit_code == 0, result.stderr
    assert f"- {names[2]}" in result.stdout
    assert "~ renamed-vm: name" in result.stdout
    assert f"~ {names[1]}: power_state poweredOn -> poweredOff" in result.stdout
    diff = run_cli("inventory", "diff", db_url=db_url)
    assert diff.exit_code == 0
    assert "1 changed" not in diff.stdout and "2 changed, 1 removed" in diff.stdout
    rows = json.loads(run_cli("inventory", "diff", "--format", "json", db_url=db_url).stdout)
    assert {"vm": names[2], "change": "removed", "field": None, "old": None, "new": None} in rows
    assert {"vm": names[1], "change": "changed", "field": "power_state", "old": "poweredOn", "new": "poweredOff"} in rows
    assert any(row["vm"] == "renamed-vm" and row["field"] == "name" for row in rows)
    listed = run_cli("inventory", "list", "--include-removed", "--format", "csv", db_url=db_url)
    assert names[2] in listed.stdout


def _wait(task) -> None:
    while task.info.state not in ("success", "error"):
        time.sleep(0.05)
    assert task.info.state == "success", task.info.error


def test_certificates_are_verified_by_default_even_for_localhost(vcsim, db_url):
    for host in ("127.0.0.1", "localhost"):
        result = run_cli(*discover_args(vcsim, host=host, trust=()), db_url=db_url, env=password_env(vcsim))
        assert result.exit_code == ExitCode.UNREACHABLE
        assert "cannot verify the certificate" in result.stderr
        assert "--ca-file" in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""


def test_a_pinned_thumbprint_is_accepted_and_a_wrong_one_refused(vcsim, db_url):
    der = ssl.PEM_cert_to_DER_cert(vcsim.ca_file.read_text())
    good = hashlib.sha256(der).hexdigest()
    ok = run_cli(*discover_args(vcsim, trust=("--thumbprint", good)), db_url=db_url, env=password_env(vcsim))
    assert ok.exit_code == 0, ok.stderr
    wrong = run_cli(*discover_args(vcsim, trust=("--thumbprint", "ab" * 32)), db_url=db_url, env=password_env(vcsim))
    assert wrong.exit_code == ExitCode.UNREACHABLE
    assert "does not match the thumbprint" in wrong.stderr


def test_insecure_must_be_asked_for_explicitly(vcsim, db_url):
    result = run_cli(*discover_args(vcsim, trust=("--insecure",)), db_url=db_url, env=password_env(vcsim))
    assert result.exit_code == 0, result.stderr


def test_wrong_password_fails_cleanly_and_keeps_the_inventory(vcsim, db_url, engine):
    assert run_cli(*discover_args(vcsim), db_url=db_url, env=password_env(vcsim)).exit_code == 0
    before = inventory_json(db_url)
    result = run_cli(*discover_args(vcsim), db_url=db_url, env={"MIGRATE_VCENTER_PASSWORD": "wrong-secret"})
    assert result.exit_code == ExitCode.AUTH
    assert result.stderr.count("\n") == 1 and "rejected the login" in result.stderr
    assert inventory_json(db_url) == before
    with engine.connect() as connection:
        statuses = list(connection.scalars(select(DiscoveryRun.status).order_by(DiscoveryRun.id)))
    assert statuses == ["succeeded", "failed"]


def test_unreachable_vcenter_gets_one_line_and_no_source(db_url):
    result = run_cli("discover", "--vcenter", "127.0.0.1:9", "--user", "u", "--insecure", db_url=db_url,
                     env={"MIGRATE_VCENTER_PASSWORD": "x"})
    assert result.exit_code == ExitCode.UNREACHABLE
    assert "refused the connection" in result.stderr
    assert run_cli("inventory", "diff", db_url=db_url).exit_code == ExitCode.ERROR


def test_a_hung_vcenter_times_out_instead_of_hanging(db_url):
    silent = SilentServer()
    try:
        result = run_cli("discover", "--vcenter", f"127.0.0.1:{silent.port}", "--user", "u", "--insecure",
                         "--timeout", "1", db_url=db_url, env={"MIGRATE_VCENTER_PASSWORD": "x"})
    finally:
        silent.close()
    assert result.exit_code == ExitCode.UNREACHABLE
    assert "did not answer within 1 s" in result.stderr


def test_connection_lost_halfway_leaves_the_previous_inventory(db_url):
    with start_vcsim(model={"dc": 1, "cluster": 1, "host": 2, "vm": 30, "ds": 1}) as sim:
        env = password_env(sim)
        assert run_cli(*discover_args(sim), db_url=db_url, env=env).exit_code == 0
        before = inventory_json(db_url)
        proxy = CuttingProxy((sim.host, sim.port), cut_after=60_000)
        try:
            result = run_cli(*discover_args(sim, port=proxy.port), db_url=db_url, env=env)
        finally:
            proxy.close()
    assert proxy.cuts == 1
    assert result.exit_code == ExitCode.UNREACHABLE, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert inventory_json(db_url) == before


def test_the_password_is_never_stored_or_printed(vcsim, db_url, engine):
    result = run_cli(*discover_args(vcsim), db_url=db_url, env=password_env(vcsim))
    assert vcsim.password not in result.stdout + result.stderr
    with engine.connect() as connection:
        for table in ("sources", "discovery_runs", "vms", "hosts", "clusters", "datastores", "networks"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                assert vcsim.password not in str(tuple(row))


def test_missing_password_without_a_terminal_names_the_variable(vcsim, db_url):
    result = run_cli(*discover_args(vcsim), db_url=db_url, env={})
    assert result.exit_code == ExitCode.USAGE
    assert "MIGRATE_VCENTER_PASSWORD" in result.stderr


def test_a_certificate_that_is_not_the_pinned_one_never_receives_the_password(vcsim, db_url, tmp_path):
    # pyvmomi checks a thumbprint only after the certificate failed verification: with an unverified context it
    # would log in to anyone. The pin lives in the TLS context, so an impostor never gets a request at all.
    from fakepve.certs import make_cert  # noqa: PLC0415  (the same helper the execution tests use)

    certfile, keyfile, _ = make_cert(str(tmp_path), name="impostor", hosts=("127.0.0.1",))
    received: list[bytes] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_error(500)

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args):
            pass

    impostor = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    impostor.socket = context.wrap_socket(impostor.socket, server_side=True)
    threading.Thread(target=impostor.serve_forever, daemon=True).start()
    try:
        real_pin = hashlib.sha256(ssl.PEM_cert_to_DER_cert(vcsim.ca_file.read_text())).hexdigest()
        result = run_cli(*discover_args(vcsim, port=impostor.server_address[1], trust=("--thumbprint", real_pin)),
                         db_url=db_url, env=password_env(vcsim))
    finally:
        impostor.shutdown()
        impostor.server_close()
    assert result.exit_code == ExitCode.UNREACHABLE and "does not match the thumbprint" in result.stderr
    assert received == []
