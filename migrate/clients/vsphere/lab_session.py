"""A pyvmomi session to the lab's simulator, trusting its certificate explicitly, and two small helpers.

The helpers read properties through the PropertyCollector only: the 0.24 simulator crashes when an
unset property is read one at a time by attribute access.
"""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Any

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

from migrate.errors import SourceProtocolError, SourceUnreachableError

TASK_POLL_SECONDS = 0.01


def fetch_certificate(host: str, port: int, ca_file: Path) -> Path:
    """Save the server's certificate as the only CA to trust (the lab's simulator is self-signed)."""
    try:
        pem = ssl.get_server_certificate((host, port), timeout=10)
    except OSError as exc:
        raise SourceUnreachableError(f"cannot reach the simulator at {host}:{port}: {exc}") from exc
    ca_file.write_text(pem)
    return ca_file


def trusting_context(ca_file: Path) -> ssl.SSLContext:
    """An SSL context that verifies the chain and the host name against `ca_file` alone."""
    context = ssl.create_default_context(cafile=str(ca_file))
    # govmomi's built-in certificate has a 1024-bit RSA key, which OpenSSL's default level 2 refuses as
    # too weak; level 1 accepts it while still checking the chain and the name.
    context.set_ciphers("DEFAULT:@SECLEVEL=1")
    return context


def connect(host: str, port: int, username: str, password: str, ca_file: Path, timeout: float) -> Any:
    """A logged-in ServiceInstance; the caller disconnects it with `disconnect`."""
    try:
        return SmartConnect(host=host, port=port, user=username, pwd=password,
                            sslContext=trusting_context(ca_file), httpConnectionTimeout=timeout)
    except (OSError, ssl.SSLError) as exc:
        raise SourceUnreachableError(f"cannot connect to the simulator at {host}:{port}: {exc}") from exc


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
