"""Progress a person can follow, and a record: one timestamped line per step transition when stderr is a file,
bars and a line per finished VM on a terminal (a real pseudo-terminal here), and a log file with no secret."""

from __future__ import annotations

import fcntl
import io
import os
import re
import struct
import termios
import threading

from migrate.cli.context import AppContext
from migrate.cli.main import main
from tests.execution.wave_bed import SECRET
from tests.execution.wave_fixtures import bed, estate  # noqa: F401  (fixtures)
from tests.support.cli import run_cli

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def _args(bed, sshd, *extra):
    return ("run", "--wave", "1", "--vcenter", f"{bed['vc_host']}:{bed['vc_port']}", "--user", bed["vc_user"],
            "--ca-file", bed["vc_ca"], "--node-address", f"pve1={sshd.host}:{sshd.port}", "--no-start",
            "--datastore-path", f"{bed['datastore']}={bed['datastore_dir']}", *extra)


def _env(bed):
    return {"MIGRATE_PVE_TOKEN_SECRET": SECRET, "MIGRATE_VCENTER_PASSWORD": bed["vc_password"]}


def test_a_run_whose_stderr_is_a_file_writes_a_timestamped_line_per_step_and_the_same_log_file(
        bed, estate, sshd, db_url, tmp_path):
    _, vms, _ = estate
    log = tmp_path / "run.log"

    result = run_cli(*_args(bed, sshd, "--log", str(log)), db_url=db_url, env=_env(bed))

    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    stamped = [line for line in lines if re.match(STAMP, line)]
    for vm in vms:
        for step in ("preflight", "create_shell", "stop_source", "copy_disk scsi0", "attach"):
            assert any(re.fullmatch(f"{STAMP} INFO {vm.name}: {step}", line) for line in stamped), (vm.name, step)
            assert any(re.fullmatch(f"{STAMP} INFO {vm.name}: {step} done in [0-9.]+s", line) for line in stamped)
        assert any(re.fullmatch(f"{STAMP} INFO {vm.name}: migrated in .+", line) for line in stamped)
    assert re.fullmatch(f"{STAMP} INFO wave 1 run 1: 3 VMs, [0-9]+ MiB of disks to read", stamped[0])
    assert lines[-2:] == [f"log: {log}", "wave 1: 3 VMs migrated, 0 failed"]
    recorded = log.read_text().splitlines()
    assert recorded == stamped  # the file holds the same record
    for secret in (SECRET, bed["vc_password"]):
        assert secret not in log.read_text() and secret not in result.stderr


def test_the_log_file_goes_beside_the_database_by_default_and_a_second_run_appends(bed, estate, sshd, db_url, tmp_path):
    first = run_cli(*_args(bed, sshd), db_url=db_url, env=_env(bed))
    again = run_cli(*_args(bed, sshd), db_url=db_url, env=_env(bed))
    assert first.exit_code == again.exit_code == 0, first.stderr + again.stderr
    path, = [line.removeprefix("log: ") for line in first.stderr.splitlines() if line.startswith("log: ")]
    if db_url.startswith("sqlite"):
        assert path == os.path.join(os.path.dirname(db_url.removeprefix("sqlite:///")), "migrate-wave-1.log")
    text = open(path, encoding="utf-8").read()
    assert "wave 1 run 1: 3 VMs" in text and "wave 1 run 2: 0 VMs" in text


def test_on_a_terminal_the_run_draws_bars_and_each_finished_vm_leaves_a_line(bed, estate, sshd, db_url, tmp_path):
    _, vms, _ = estate
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # 40 rows, 120 columns
    screen = io.BytesIO()

    def drain():
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            screen.write(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    terminal = os.fdopen(slave, "w", buffering=1)
    app = AppContext(env=_env(bed), stdin=io.StringIO(), stdout=io.StringIO(), stderr=terminal)
    try:
        code = main(["--db", db_url, *_args(bed, sshd, "--log", str(tmp_path / "run.log"))], app=app)
    finally:
        terminal.close()
        reader.join(timeout=10)
        os.close(master)
    shown = screen.getvalue().decode("utf-8", "replace")
    assert code == 0, shown[-3000:]
    assert "wave: 3/3 VMs" in shown
    assert re.search(r"\d+ MiB of \d+ MiB read", shown)
    for vm in vms:
        assert re.search(rf"{vm.name}: migrated in [0-9.ms]+", shown), vm.name
    assert not re.search(STAMP + " INFO", shown)  # bars, not log lines, on a terminal


def test_each_vm_started_on_the_target_leaves_a_line_with_its_measured_downtime(bed, estate, sshd, db_url, tmp_path):
    _, vms, _ = estate
    args = [word for word in _args(bed, sshd, "--log", str(tmp_path / "run.log")) if word != "--no-start"]
    result = run_cli(*args, "--agent-timeout", "0.1", db_url=db_url, env=_env(bed))
    assert result.exit_code == 0, result.stderr
    for vm in vms:
        assert re.search(rf"INFO {vm.name}: migrated in [0-9.ms]+, down for [0-9.ms]+$", result.stderr, re.M), vm.name
