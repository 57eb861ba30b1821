"""The target VM's life through the Proxmox API: proven the toolkit's, created, given volumes, started, destroyed.

The marker is a tag (`MARKER_TAG`), a description line `migrate-vm: <key>` naming the source VM, and an owner
line naming the VMID and the journal's VM migration (`Ownership`). The VM at the owned VMID is looked up before
it is created, so a run killed between the create call and the journal write adopts the VM it made instead of
creating a second one; and only a VM proven ours (marker, owner line, VMID, name and MACs) is ever stopped or
destroyed: a clone of it, which copies tag and description, is not. Logging in again when a ticket expires (after 2 h) is moot: the toolkit uses API tokens, which
have no ticket. Every call has the connection's timeout (60 s by default, not proxmoxer's 5 s); tasks are
waited on by UPID with a short polling interval.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from migrate.clients.proxmox.connection import PveClient
from migrate.clients.proxmox.target import macs_of
from migrate.errors import NotOursError, TargetApiError

MARKER_TAG = "migrate-toolkit"
MARKER_LINE = "migrate-vm: "
OWNER_LINE = "migrate-owner: "
TASK_POLL = 0.2
TASK_TIMEOUT = 600.0


@dataclass(frozen=True)
class TargetVm:
    node: str
    vmid: int
    name: str


@dataclass(frozen=True)
class Ownership:
    """What proves that a target VM is the one the toolkit made for one VM migration of its journal.

    A Proxmox clone or a restored backup carries the tag and the description, so the marker alone proves
    nothing. The owner line adds the VMID the VM was created with and the journal's VM-migration id: a clone
    has another VMID than its line names, another database's VM another id. The name and the MACs must agree
    too (a clone gets new MACs). Secret-free: anyone may read it, no one can make another VM pass for ours
    without also giving it our VMID.
    """

    vm_key: str
    vmid: int
    migration: int  # the journal's VM-migration id
    name: str = ""
    macs: tuple[str, ...] = ()  # the planned MACs, upper case

    @property
    def owner_line(self) -> str:
        return f"{OWNER_LINE}vmid={self.vmid} migration={self.migration}"


def marker_of(vm_key: str) -> str:
    """The description line that names the source VM a target VM was made from."""
    return MARKER_LINE + " ".join(vm_key.split())


def with_marker(config: dict[str, Any], ownership: Ownership) -> dict[str, Any]:
    """The create parameters with the marker tag and the marker and owner lines added to the description."""
    tags = [t for t in str(config.get("tags") or "").replace(",", ";").split(";") if t]
    description = str(config.get("description") or "")
    lines = marker_of(ownership.vm_key) + "\n" + ownership.owner_line
    return {**config, "tags": ";".join(sorted({*tags, MARKER_TAG})),
            "description": (description + "\n" if description else "") + lines}


def looks_ours(config: dict[str, Any], vm_key: str | None = None) -> bool:
    """Whether a VM's config carries the toolkit's marker (for `vm_key`, when given): what a clone copies too."""
    tags = str(config.get("tags") or "").replace(",", ";").split(";")
    lines = str(config.get("description") or "").splitlines()
    if MARKER_TAG not in tags:
        return False
    if vm_key is None:
        return any(line.startswith(MARKER_LINE) for line in lines)
    return marker_of(vm_key) in lines


def not_ours_because(ownership: Ownership, vmid: int, config: dict[str, Any]) -> str | None:
    """Why the VM `vmid` with `config` is not the one `ownership` names, or None when it is."""
    if not looks_ours(config, ownership.vm_key):
        return "it carries no marker of the toolkit for this VM"
    owners = [line for line in str(config.get("description") or "").splitlines() if line.startswith(OWNER_LINE)]
    # A VM made before the owner line existed proves itself by its VMID alone, with its name and MACs.
    if owners and owners != [f"{OWNER_LINE}vmid={vmid} migration={ownership.migration}"]:
        return f"its marker was made for {owners[0].removeprefix(OWNER_LINE)}, not for VMID {vmid} of this migration"
    if vmid != ownership.vmid:
        return f"it is VMID {vmid}, not the toolkit's VMID {ownership.vmid}"
    if ownership.name and config.get("name") != ownership.name:
        return f"it is named {config.get('name')!r}, not {ownership.name!r}"
    missing = set(ownership.macs) - set(macs_of(config))
    if missing:
        return f"its NICs lack the planned MAC {sorted(missing)[0]}"
    return None


def vm_config(pve: PveClient, node: str, vmid: int) -> dict[str, Any]:
    return pve.get(f"/nodes/{node}/qemu/{vmid}/config")


def find_vm(pve: PveClient, vmid: int) -> TargetVm | None:
    """The VM with this VMID anywhere in the cluster, or None."""
    for row in pve.get("/cluster/resources", type="vm"):
        if row.get("type") == "qemu" and int(row.get("vmid", -1)) == vmid:
            return TargetVm(row["node"], vmid, row.get("name", ""))
    return None


def find_ours(pve: PveClient, ownership: Ownership) -> TargetVm | None:
    """The VM at the owned VMID if it proves to be ours, or None when that VMID is free.

    Raises TargetApiError when another VM holds the VMID: it is never taken for ours.
    """
    vm = find_vm(pve, ownership.vmid)
    if vm is None:
        return None
    reason = not_ours_because(ownership, vm.vmid, vm_config(pve, vm.node, vm.vmid))
    if reason is not None:
        raise NotOursError(f"VMID {vm.vmid} on node {vm.node} holds VM {vm.name!r}, which is not the toolkit's VM "
                           f"for this migration ({reason}): it is left alone; plan the wave again")
    return vm


def lookalikes(pve: PveClient, ownership: Ownership) -> list[TargetVm]:
    """VMs that carry the toolkit's marker for this source VM at another VMID (clones, restored backups): never
    adopted, never destroyed, named to the operator."""
    found = []
    for row in pve.get("/cluster/resources", type="vm"):
        if (row.get("type") != "qemu" or int(row.get("vmid", -1)) == ownership.vmid
                or MARKER_TAG not in str(row.get("tags") or "").split(";")):
            continue
        vm = TargetVm(row["node"], int(row["vmid"]), row.get("name", ""))
        if looks_ours(vm_config(pve, vm.node, vm.vmid), ownership.vm_key):
            found.append(vm)
    return found


@dataclass
class GuestMacs:
    """The cluster's guests' MACs for a run, each guest's config read once, not once per migrated VM.

    The guest list (`/cluster/resources`, one call) is read at every look-up, so a guest created or moved
    since the last one is read then; a guest seen before keeps the MACs it had (a NIC added to a running
    foreign VM in the middle of a wave goes unseen until the next run). On a cluster of thousands of guests
    this is the difference between a few calls per VM and thousands.
    """

    _configs: dict[tuple[str, str, int, str], dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def holders(self, pve: PveClient, macs: list[str], ownership: Ownership) -> list[tuple[TargetVm, str]]:
        """The guests other than the toolkit's own VM of `ownership` whose NICs use one of `macs`, with the MAC
        (a clone of ours that kept a MAC is another guest like any other)."""
        wanted = {mac.upper() for mac in macs}
        found = []
        for row in pve.get("/cluster/resources", type="vm"):
            kind = row.get("type", "qemu")
            config = self._config(pve, kind, row)
            used = wanted.intersection(macs_of(config))
            vmid = int(row["vmid"])
            if used and not (kind == "qemu" and not_ours_because(ownership, vmid, config) is None):
                found += [(TargetVm(row["node"], int(row["vmid"]), row.get("name", "")), mac) for mac in sorted(used)]
        return found

    def _config(self, pve: PveClient, kind: str, row: dict[str, Any]) -> dict[str, Any]:
        # The name is in the key: a VMID destroyed and used again by another guest is read again.
        key = (kind, row["node"], int(row["vmid"]), row.get("name", ""))
        with self._lock:
            if key in self._configs:
                return self._configs[key]
        config = pve.get(f"/nodes/{row['node']}/{kind}/{row['vmid']}/config") or {}
        with self._lock:
            self._configs[key] = config
        return config


def create_shell(pve: PveClient, node: str, config: dict[str, Any], ownership: Ownership) -> TargetVm:
    """Create the VM without disks, marked, not started, at the owned VMID; adopt it if an earlier attempt already
    made it there. A VMID held by any other VM (a stranger's, or a clone of ours) is refused."""
    found = find_ours(pve, ownership) or _ours_on_node(pve, node, ownership)
    if found is not None:
        return found
    params = with_marker(config, ownership)
    wait_task(pve, node, pve.post(f"/nodes/{node}/qemu", vmid=ownership.vmid, **params), f"creating VM {ownership.vmid}")
    return TargetVm(node, ownership.vmid, str(params.get("name", "")))


def _ours_on_node(pve: PveClient, node: str, ownership: Ownership) -> TargetVm | None:
    """The VM at the owned VMID if it is ours, as the node lists it from its own config files: current at once,
    unlike /cluster/resources, which lags seconds behind a create whose answer may have been lost."""
    vmid = ownership.vmid
    if not any(int(row.get("vmid", -1)) == vmid for row in pve.get(f"/nodes/{node}/qemu")):
        return None
    config = vm_config(pve, node, vmid)
    reason = not_ours_because(ownership, vmid, config)
    if reason is not None:
        raise NotOursError(f"VMID {vmid} on node {node} holds VM {config.get('name', '')!r}, which is not the "
                           f"toolkit's VM for this migration ({reason}): it is left alone; plan the wave again")
    return TargetVm(node, vmid, str(config.get("name", "")))


def volume_name(pve: PveClient, node: str, storage: str, vmid: int, slot: str, fmt: str = "raw") -> str:
    """`vm-<vmid>-migrate-<slot>`: owned by the VM as PVE sees it, yet never one of PVE's own `vm-<vmid>-disk-<n>`
    names (the EFI or TPM disk it allocated at create time), so a resume finds exactly the toolkit's volume."""
    return f"vm-{vmid}-migrate-{slot}" + ("" if _block_storage(pve, node, storage) else f".{fmt}")


def find_volume(pve: PveClient, node: str, storage: str, vmid: int, filename: str) -> str | None:
    for row in pve.get(f"/nodes/{node}/storage/{storage}/content", vmid=vmid):
        if row.get("volid", "").split(":", 1)[-1].rsplit("/", 1)[-1] == filename:
            return row["volid"]
    return None


def allocate_volume(pve: PveClient, node: str, storage: str, vmid: int, slot: str, size_bytes: int,
                    fmt: str = "raw") -> str:
    """Allocate the volume of disk `slot` on the storage, or find it if an earlier attempt did; its volume id."""
    filename = volume_name(pve, node, storage, vmid, slot, fmt)
    if (found := find_volume(pve, node, storage, vmid, filename)) is not None:
        return found
    size_kib = -(-size_bytes // 1024)
    return pve.post(f"/nodes/{node}/storage/{storage}/content", vmid=vmid, filename=filename,
                    size=str(size_kib), format=fmt)


def storage_type(pve: PveClient, node: str, storage: str) -> str:
    for row in pve.get(f"/nodes/{node}/storage"):
        if row.get("storage") == storage:
            return str(row.get("type", ""))
    raise TargetApiError(f"storage {storage} is not available on node {node}: check the storage's node list")


def _block_storage(pve: PveClient, node: str, storage: str) -> bool:
    return storage_type(pve, node, storage) in {"lvm", "lvmthin", "zfspool", "rbd", "iscsi", "iscsidirect"}


def volume_path(pve: PveClient, node: str, volid: str) -> str:
    storage = volid.split(":", 1)[0]
    return pve.get(f"/nodes/{node}/storage/{storage}/content/{quote(volid, safe='')}")["path"]


def volume_exists(pve: PveClient, node: str, volid: str) -> bool:
    storage = volid.split(":", 1)[0]
    return any(row.get("volid") == volid for row in pve.get(f"/nodes/{node}/storage/{storage}/content"))


def set_config(pve: PveClient, node: str, vmid: int, **params: Any) -> None:
    """Apply config (attach volumes, boot order...) and wait for it."""
    upid = pve.post(f"/nodes/{node}/qemu/{vmid}/config", **params)
    if isinstance(upid, str) and upid.startswith("UPID:"):
        wait_task(pve, node, upid, f"configuring VM {vmid}")


def status(pve: PveClient, node: str, vmid: int) -> str:
    return pve.get(f"/nodes/{node}/qemu/{vmid}/status/current").get("status", "")


def start(pve: PveClient, node: str, vmid: int) -> None:
    """Start the VM unless it runs; a start task that failed because the VM runs by now is a success."""
    if status(pve, node, vmid) == "running":
        return
    try:
        wait_task(pve, node, pve.post(f"/nodes/{node}/qemu/{vmid}/status/start"), f"starting VM {vmid}")
    except TargetApiError:
        # An earlier attempt's start, whose answer was lost, may have been under way when this one looked.
        if status(pve, node, vmid) != "running":
            raise


def agent_ips(pve: PveClient, node: str, vmid: int, timeout: float = 120.0, poll: float = 1.0) -> list[str] | None:
    """The guest's IP addresses from the QEMU guest agent, or None if it did not answer within `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = pve.get(f"/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces")
            interfaces = answer.get("result", answer) if isinstance(answer, dict) else answer
            return sorted({a["ip-address"] for i in interfaces or [] for a in i.get("ip-addresses") or []
                           if i.get("name") != "lo" and not a["ip-address"].startswith(("127.", "::1", "fe80"))})
        except TargetApiError:
            if time.monotonic() >= deadline:
                return None
            time.sleep(poll)


def destroy_ours(pve: PveClient, ownership: Ownership) -> TargetVm | None:
    """Stop and destroy the toolkit's VM of `ownership` with its unreferenced disks; None if its VMID is free.

    Only the VM at the owned VMID that proves to be ours (`not_ours_because`) is touched; any other VM there raises
    NotOursError and is left alone.
    """
    vm = find_ours(pve, ownership)
    if vm is None:
        return None
    if status(pve, vm.node, vm.vmid) == "running":
        wait_task(pve, vm.node, pve.post(f"/nodes/{vm.node}/qemu/{vm.vmid}/status/stop"), f"stopping VM {vm.vmid}")
    upid = pve.delete(f"/nodes/{vm.node}/qemu/{vm.vmid}", **{"destroy-unreferenced-disks": 1, "purge": 1})
    wait_task(pve, vm.node, upid, f"destroying VM {vm.vmid}")
    return vm


def delete_volume(pve: PveClient, node: str, volid: str) -> None:
    storage = volid.split(":", 1)[0]
    upid = pve.delete(f"/nodes/{node}/storage/{storage}/content/{quote(volid, safe='')}")
    if isinstance(upid, str) and upid.startswith("UPID:"):
        wait_task(pve, node, upid, f"deleting volume {volid}")


def wait_task(pve: PveClient, node: str, upid: Any, what: str, timeout: float = TASK_TIMEOUT) -> None:
    """Wait for a task to stop; a TargetApiError with the task's exit status and last log line if it failed."""
    if not (isinstance(upid, str) and upid.startswith("UPID:")):
        return
    deadline = time.monotonic() + timeout
    path = f"/nodes/{node}/tasks/{quote(upid, safe='')}"
    while True:
        state = pve.get(f"{path}/status")
        if state.get("status") == "stopped":
            break
        if time.monotonic() >= deadline:
            raise TargetApiError(f"{what} on node {node} did not finish within {timeout:.0f} s (task {upid})")
        time.sleep(TASK_POLL)
    if state.get("exitstatus") != "OK":
        raise TargetApiError(f"{what} on node {node} failed: {state.get('exitstatus') or 'unknown error'}")
