"""The discovery methods that `benchmarks/discovery.py` times, each run alone in a fresh process.

    .venv/bin/python benchmarks/discovery_methods.py METHOD --host H --port P --ca-file PEM [--database F]

METHOD is `naive`, `harvest` or `discover`; the password comes from MIGRATE_VCENTER_PASSWORD.
Prints one JSON line: seconds, round trips, VMs, peak RSS (KiB) and CPU seconds. The peak is this
process's VmHWM, not `ru_maxrss`: on Linux a child's ru_maxrss starts at its parent's peak at fork
time (the kernel carries it across exec), so a child of a 60 MB benchmark never reports less. The Go baseline is `benchmarks/goclient/main.go`, a process of its own.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from migrate.clients.vsphere.connection import VcenterEndpoint, connect  # noqa: E402


class RequestCounter:
    """Counts HTTP requests sent by this process (pyvmomi and our collector both use http.client)."""

    def __init__(self) -> None:
        self.count = 0
        self._request = http.client.HTTPConnection.request
        counter = self

        def request(connection, *args, **kwargs):
            counter.count += 1
            return counter._request(connection, *args, **kwargs)

        http.client.HTTPConnection.request = request


def naive(endpoint: VcenterEndpoint, _database: str | None) -> dict:
    """A ContainerView, then 19 attribute reads per VM, as discovery-perf.md's method 1.

    vcsim 0.24 crashes when an unset property is fetched on its own, so `vm.overallStatus` is read
    where the study would have read `vm.snapshot`.
    """
    from pyVmomi import vim

    with connect(endpoint) as connection:
        counter = RequestCounter()
        started = time.perf_counter()
        content = connection.content
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
        rows = []
        for vm in view.view:
            rows.append((
                vm.name, vm.config.uuid, vm.config.instanceUuid, vm.config.guestId, vm.config.firmware,
                vm.config.hardware.numCPU, vm.config.hardware.numCoresPerSocket, vm.config.hardware.memoryMB,
                len(vm.config.hardware.device), vm.runtime.powerState, vm.runtime.host._moId,
                vm.summary.storage.committed, vm.overallStatus, len(vm.guest.net), vm.guest.toolsRunningStatus,
                [d._moId for d in vm.datastore], [n._moId for n in vm.network], vm.parent._moId,
                vm.resourcePool._moId,
            ))
        view.Destroy()
        seconds = time.perf_counter() - started
        round_trips = counter.count  # before the logout
    return {"seconds": seconds, "round_trips": round_trips, "vms": len(rows)}


def harvest(endpoint: VcenterEndpoint, _database: str | None) -> dict:
    """Our PropertyCollector harvest alone (connect excluded): estate, custom fields, VMs, into model objects."""
    from migrate.discovery.vcenter.harvest import harvest as run_harvest

    with connect(endpoint) as connection:
        started = time.perf_counter()
        result = run_harvest(connection)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "round_trips": result.round_trips, "vms": len(result.inventory.vms)}


def discover(endpoint: VcenterEndpoint, database: str | None) -> dict:
    """`discover_vcenter` end to end (login, harvest, saving into the SQLite file, commit).

    The file was created by `migrate.db.session.upgrade` in another process, as `migrate db upgrade`
    does before `migrate discover`, so this process's peak RSS is the discovery's.
    """
    from migrate.db.session import make_engine, session_factory
    from migrate.discovery.vcenter import discover_vcenter

    engine = make_engine(f"sqlite:///{database}")
    with session_factory(engine)() as session:
        started = time.perf_counter()
        result = discover_vcenter(session, endpoint).unwrap()
        session.commit()
        seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "round_trips": result.round_trips, "vms": len(result.inventory.vms),
            "added": len(result.changes.added)}


def peak_rss_kb() -> int:
    """This process's own peak resident set (VmHWM), in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


METHODS = {"naive": naive, "harvest": harvest, "discover": discover}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=sorted(METHODS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="administrator@vsphere.local")
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--database", help="the fresh, upgraded SQLite file `discover` writes into")
    args = parser.parse_args()
    endpoint = VcenterEndpoint(args.host, args.user, os.environ["MIGRATE_VCENTER_PASSWORD"], port=args.port,
                               ca_file=args.ca_file)
    result = METHODS[args.method](endpoint, args.database)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.update(peak_rss_kb=peak_rss_kb(), cpu_seconds=usage.ru_utime + usage.ru_stime)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
