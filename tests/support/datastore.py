"""The vCenter simulator's datastore as an HTTPS source: its directory, and `/folder` URLs of files in it.

vcsim keeps each datastore in a directory under its TMPDIR (`sim.workdir`), named
`govcsim-<dc>-<datastore>-<random>`, and serves it at `/folder/<path>?dcPath=<dc>&dsName=<datastore>`
with Range support. It does not check the session cookie.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from lab.vcsim import Simulator


def datastore_dir(sim: Simulator, datacenter: str = "DC0", datastore: str = "LocalDS_0") -> Path:
    """The local directory holding the simulator's datastore."""
    found = sorted(sim.workdir.glob(f"govcsim-{datacenter}-{datastore}-*"))
    if not found:
        raise LookupError(f"no directory for datastore {datastore} of {datacenter} under {sim.workdir}")
    return found[0]


def folder_url(sim: Simulator, relative: str, datacenter: str = "DC0", datastore: str = "LocalDS_0") -> str:
    """The datastore file API URL of a file, its path percent-encoded."""
    query = urlencode({"dcPath": datacenter, "dsName": datastore})
    return f"https://{sim.host}:{sim.port}/folder/{quote(relative, safe='/')}?{query}"
