"""What `migrate run` does to a source VM: stop it (guest shutdown first), power it on, disconnect its NICs,
and where its disk files are served over HTTPS (the datastore file API) with the session's cookie.

The VM is found by its managed object id (moref) from discovery. Nothing here deletes or reconfigures disks.
"""

from __future__ import annotations

import time
from urllib.parse import quote, urlencode

from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from migrate.clients.vsphere.connection import VsphereConnection
from migrate.errors import SourceHttpError, SourceProtocolError, datastore_http_fix

POLL = 1.0


def find_vm(conn: VsphereConnection, moref: str) -> vim.VirtualMachine:
    """The VM with this moref; a SourceProtocolError naming it if it is gone."""
    vm = vim.VirtualMachine(moref, conn.si._stub)
    try:
        vm.name  # noqa: B018  (reading a property proves the object exists)
    except vim.fault.NotAuthenticated:
        raise conn.session_lost() from None
    except vmodl.fault.ManagedObjectNotFound:
        raise SourceProtocolError(f"VM {moref} is no longer on vCenter {conn.endpoint.name}: discover again "
                                  "and plan the wave again") from None
    return vm


def power_state(conn: VsphereConnection, moref: str) -> str:
    return str(find_vm(conn, moref).runtime.powerState)


def stop(conn: VsphereConnection, moref: str, timeout: float, allow_power_off: bool) -> str:
    """Stop the VM: guest shutdown through VMware Tools, waiting `timeout` s, then power off only if allowed.

    Returns how it went off: "already off", "guest shutdown" or "powered off".
    """
    vm = find_vm(conn, moref)
    if vm.runtime.powerState == vim.VirtualMachinePowerState.poweredOff:
        return "already off"
    try:
        vm.ShutdownGuest()
        if _wait_off(vm, timeout):
            return "guest shutdown"
        reason = f"did not shut down within {timeout:.0f} s"
    except vmodl.MethodFault as exc:
        reason = f"refused a guest shutdown ({type(exc).__name__}: VMware Tools not running?)"
    if not allow_power_off:
        raise SourceProtocolError(f"VM {vm.name} {reason}: shut it down by hand, or allow a hard power off "
                                  "for its wave with `migrate wave policy N --allow-power-off`")
    _wait(vm.PowerOffVM_Task(), f"powering off {vm.name}")
    return "powered off"


def power_on(conn: VsphereConnection, moref: str) -> None:
    vm = find_vm(conn, moref)
    if vm.runtime.powerState != vim.VirtualMachinePowerState.poweredOn:
        _wait(vm.PowerOnVM_Task(), f"powering on {vm.name}")


def set_nics_connected(conn: VsphereConnection, moref: str, connected: bool) -> list[str]:
    """Set every NIC's start-connected (and, when on, connected) flag; returns the NICs' labels."""
    vm = find_vm(conn, moref)
    changes, labels = [], []
    for device in vm.config.hardware.device:
        if not isinstance(device, vim.vm.device.VirtualEthernetCard):
            continue
        device.connectable = device.connectable or vim.vm.device.VirtualDevice.ConnectInfo()
        device.connectable.startConnected = connected
        device.connectable.connected = connected
        changes.append(vim.vm.device.VirtualDeviceSpec(operation="edit", device=device))
        labels.append(device.deviceInfo.label if device.deviceInfo else str(device.key))
    if changes:
        _wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=changes)),
              f"{'connecting' if connected else 'disconnecting'} the NICs of {vm.name}")
    return labels


def datastore_file_url(conn: VsphereConnection, datacenter: str, file_path: str) -> str:
    """The `/folder` URL of a "[datastore] dir/file.vmdk" path, percent-encoded."""
    datastore, _, relative = file_path.partition("] ")
    query = urlencode({"dcPath": datacenter, "dsName": datastore.lstrip("[")})
    host = conn.endpoint.host if conn.endpoint.port == 443 else f"{conn.endpoint.host}:{conn.endpoint.port}"
    return f"https://{host}/folder/{quote(relative, safe='/')}?{query}"


def session_cookie(conn: VsphereConnection) -> str:
    """The session cookie as a `Cookie:` header value (`vmware_soap_session=...`), for the HTTPS transport only."""
    return conn.session_cookie.split(";", 1)[0].strip()


def _wait_off(vm: vim.VirtualMachine, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while vm.runtime.powerState != vim.VirtualMachinePowerState.poweredOff:
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)
    return True


def _wait(task: vim.Task, what: str) -> None:
    try:
        WaitForTask(task)
    except vmodl.MethodFault as exc:
        raise SourceProtocolError(f"{what} failed: {getattr(exc, 'msg', None) or type(exc).__name__}") from None


def read_head(conn: VsphereConnection, url: str, length: int = 65536) -> bytes:
    """The first `length` bytes of a datastore file (to tell a sparse VMDK from a descriptor), with the session."""
    path = url.split("/", 3)[3]
    http = conn.open_http()
    try:
        http.request("GET", "/" + path, headers={"Cookie": session_cookie(conn), "Range": f"bytes=0-{length - 1}"})
        answer = http.getresponse()
        body = answer.read(length)
        if answer.status == 401:
            raise conn.session_lost()
        if answer.status not in (200, 206):
            raise SourceHttpError(f"vCenter {conn.endpoint.name} answered HTTP {answer.status} for {url}: "
                                  f"{datastore_http_fix(answer.status)}", answer.status)
        return body
    finally:
        http.close()
