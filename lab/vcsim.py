"""Build and run govmomi's vCenter simulator (vcsim) from Debian's source package.

Debian ships the simulator as Go source (golang-github-vmware-govmomi-dev) but no command, so
`sample_inventory/lab/vcsim/main.go` is built once into `.cache/` and reused while it is newer
than its source. The simulator speaks real SOAP over HTTPS with a self-signed certificate.
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from migrate.errors import MigrateError

REPO_ROOT = Path(__file__).resolve().parents[1]
VCSIM_SOURCE = REPO_ROOT / "sample_inventory" / "lab" / "vcsim"
GOPATH = "/usr/share/gocode"


class LabError(MigrateError):
    """The local lab cannot be built or started."""


def build_vcsim(cache_dir: Path | None = None) -> Path:
    """The simulator binary, built from source when missing or older than its source."""
    cache_dir = cache_dir or REPO_ROOT / ".cache"
    binary = cache_dir / "vcsim"
    source = VCSIM_SOURCE / "main.go"
    if binary.exists() and binary.stat().st_mtime >= source.stat().st_mtime:
        return binary
    if shutil.which("go") is None or not Path(GOPATH, "src/github.com/vmware/govmomi/simulator").is_dir():
        raise LabError("cannot build the vCenter simulator: install golang-go and golang-github-vmware-govmomi-dev "
                       "(`make demo` and `make test` do)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": GOPATH, "GOCACHE": str(cache_dir / "go-build")}
    result = subprocess.run(["go", "build", "-o", str(binary), "."], cwd=VCSIM_SOURCE, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise LabError(f"cannot build the vCenter simulator: {result.stderr.strip().splitlines()[-1:]}")
    return binary


@dataclass
class Simulator:
    """A running vcsim: its address, the user it accepts, and where its datastores live."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    process: subprocess.Popen = field(repr=False)
    workdir: Path

    @property
    def ca_file(self) -> Path:
        """The simulator's self-signed certificate, to trust as a CA (--ca-file)."""
        return self.workdir / "vcsim-ca.pem"

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}/sdk"

    def stop(self) -> None:
        """Stop the simulator and remove the datastore directories it leaves behind."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_vcsim(
    *,
    listen: str = "127.0.0.1:0",
    username: str = "administrator@vsphere.local",
    password: str = "lab-password",
    model: dict[str, int] | None = None,
    binary: Path | None = None,
    startup_timeout: float = 120.0,
) -> Simulator:
    """Start a simulator that accepts only `username`/`password`; `model` sets vcsim's counts (dc, cluster, vm...).

    With no model the simulator starts empty (no datacenter), ready for the sample estate's loader.
    """
    binary = binary or build_vcsim()
    workdir = Path(tempfile.mkdtemp(prefix="migrate-vcsim-"))
    args = [str(binary), "-l", listen, "-username", username, "-cert-out", str(workdir / "vcsim-ca.pem")]
    for name, count in (model or {}).items():
        args += [f"-{name}", str(count)]
    # vcsim creates its datastore directories under TMPDIR and never removes them itself.
    env = {**os.environ, "TMPDIR": str(workdir), "VCSIM_PASSWORD": password}
    with open(workdir / "vcsim.log", "wb") as log:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, env=env)
    try:
        url = _read_url(process, startup_timeout)
    except BaseException:
        process.kill()
        process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    parts = urlsplit(url)
    return Simulator(parts.hostname, parts.port, username, password, process, workdir)


def _read_url(process: subprocess.Popen, timeout: float) -> str:
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = process.stdout.readline().decode().strip()
            if line.startswith("https://"):
                return line
            if not line and process.poll() is not None:
                break
        elif process.poll() is not None:
            break
    raise LabError(f"the vCenter simulator did not start (exit code {process.poll()}): see its log")
