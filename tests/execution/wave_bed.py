"""A small wave on the real fakes: a vcsim estate whose VMs have real VMDKs, fakepve with a `dir` storage, the
loopback sshd as every node's shell. `services_factory(bed)` builds what `execute_wave` needs from plain data,
so that a subprocess (killed by a failpoint) can build the same from `bed.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from migrate.clients.proxmox import PveEndpoint, connect
from migrate.clients.ssh import NodeAddress
from migrate.clients.vsphere.connection import VcenterEndpoint
from migrate.clients.vsphere.connection import connect as vsphere_connect
from migrate.execution.services import RunOptions, Services

TOKEN = "migrate@pve!run"
SECRET = "run-secret-9d1f"


def services_factory(bed: dict):
    """A factory for execute_wave from the bed's plain description."""
    def factory(target, options: RunOptions) -> Services:
        pve = connect(PveEndpoint(bed["pve_host"], TOKEN, SECRET, port=bed["pve_port"], ca_file=bed["pve_ca"],
                                  timeout=bed.get("pve_timeout", 30)))
        address = NodeAddress(bed["ssh_host"], bed["ssh_port"], bed["ssh_user"], Path(bed["ssh_key"]),
                              Path(bed["known_hosts"]))
        vc = VcenterEndpoint(bed["vc_host"], bed["vc_user"], bed["vc_password"], port=bed["vc_port"],
                             ca_file=bed["vc_ca"])
        return Services(pve, lambda node: address, options, lambda: vsphere_connect(vc))
    return factory


def options_of(bed: dict, **overrides) -> RunOptions:
    values = dict(parallel=2, start=True, agent_timeout=0.5, retry_backoff=0.05,
                  datastore_paths={bed["datastore"]: bed["datastore_dir"]} if bed.get("node_path", True) else {})
    # A bed may carry options for the processes it is run in (`run_wave.py`): conversion, say.
    return RunOptions(**{**values, **bed.get("run_options", {}), **overrides})


def write_bed(bed: dict, path: Path) -> Path:
    path.write_text(json.dumps(bed))
    return path
