"""A pyvmomi session to the lab's simulator, trusting its certificate explicitly, and two small helpers.

The helpers read properties through the PropertyCollector only: the 0.24 simulator crashes when an
unset property is read one at a time by attribute access.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyVim.connect import Disconnect
from pyVmomi import vim, vmodl

from migrate.clients.vsphere.connection import VcenterEndpoint
from migrate.clients.vsphere.connection import connect as vcenter_connect
from migrate.errors import SourceProtocolError

TASK_POLL_SECONDS = 0.01


def connect(host: str, port: int, username: str, password: str, ca_file: Path, timeout: float) -> Any:
    """A logged-in ServiceInstance, made the way discovery makes it; the caller disconnects it."""
    endpoint = VcenterEndpoint(host=host, port=port, user=username, password=password, ca_file=str(ca_file),
                               timeout=timeout)
    return vcenter_connect(endpoint).si


@contextmanager
def serialized_at(si: Any, version: str) -> Iterator[None]:
    """Send this block's calls at API `version` rather than the session's.

    The simulator announces API 6.5, so pyvmomi serializes for 6.5 and writes an object of a newer type as its
    nearest 6.5 ancestor: a `VirtualTPM` (6.7) left as a plain `VirtualDevice`, which the simulator stores as
    such, and discovery then rightly finds no vTPM. The simulator itself knows VirtualTPM.
    """
    stub = getattr(si._stub, "soapStub", si._stub)
    saved = stub.version
    stub.version = version
    try:
        yield
    finally:
        stub.version = saved


def disconnect(si: Any) -> None:
    Disconnect(si)


def properties(si: Any, objects: list, obj_type: type, paths: list[str]) -> list[dict[str, Any]]:
    """For each object, its `paths` as a dict (unset ones missing), plus "obj"; one round trip."""
    if not objects:
        return []
    collector = si.content.propertyCollector
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=o) for o in objects],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=obj_type, pathSet=paths)])
    result = collector.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions())
    rows = []
    while result is not None:
        rows += [{"obj": o.obj, **{p.name: p.val for p in o.propSet}} for o in result.objects]
        result = collector.ContinueRetrievePropertiesEx(result.token) if result.token else None
    by_ref = {row["obj"]._moId: row for row in rows}
    return [by_ref[o._moId] for o in objects]


def wait(si: Any, task: Any, what: str) -> Any:
    """The task's result once it has finished; a SourceProtocolError naming `what` if it failed."""
    while True:
        info = properties(si, [task], vim.Task, ["info.state", "info.error", "info.result"])[0]
        if info["info.state"] == "success":
            return info.get("info.result")
        if info["info.state"] == "error":
            fault = info["info.error"]
            detail = getattr(fault, "invalidProperty", None) or fault.msg or ""
            raise SourceProtocolError(f"the simulator refused to {what}: {type(fault).__name__} {detail}")
        time.sleep(TASK_POLL_SECONDS)
