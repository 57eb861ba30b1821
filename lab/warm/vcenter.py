"""`WarmVcenter`: an HTTPS vCenter in front of the simulator whose VMs' disks behave like vSphere's for a warm
copy: changed block tracking, a delta disk per snapshot, snapshot removal that consolidates into the base VMDK.

Every request goes through to vcsim unchanged; these calls are also seen by the lab:
- `ReconfigVM_Task` with `changeTrackingEnabled`: vcsim sets the property; tracking itself starts at the next
  stun of a running VM (a snapshot's creation, or a power-on), as on ESXi, and at once for a VM that is off.
  Turning it off drops the tracking files: every change id issued before is invalid afterwards.
- `CreateSnapshot_Task`: the stun. The snapshot records each disk's current change id, which the lab writes into
  every answer that carries the snapshot's config (`snapshot.config.hardware.device[].backing.changeId`, as on
  vSphere; unset while tracking is off or only pending: vcsim's snapshot shares its device list with the VM's,
  so it cannot hold them itself); then a delta takes the disk's writes. More than
  `max_snapshots` snapshots in the chain is refused with TooManySnapshotLevels (vSphere's limit is 32).
- `RemoveSnapshot_Task`, `RemoveAllSnapshots_Task`: after vcsim removed the snapshot, its delta is merged into
  the image below, down to the base VMDK file. A merge refused by QEMU's image lock (a copy still reading the
  base) fails the task with FileLocked and leaves the delta: the VM runs on it, `runtime.consolidationNeeded`
  reads true, and change tracking starts afresh (the change ids before are invalid), as on ESXi.
- `ConsolidateVMDisks_Task` (which vcsim lacks): those merges, tried again.
- `PowerOnVM_Task`: a stun, as above.
- A snapshot removal's task names the VM as its entity, as vCenter's does (vcsim names the snapshot, which is
  no ManagedEntity: pyvmomi's WaitForTask fails to read such a task).
- While snapshots exist, a VM's disk is shown as ESXi shows it: its backing the newest delta
  (`[ds] vm/vm_0-000002.vmdk`), each older image its `parent`, down to the base; a snapshot's disks are the
  images it froze (the base for the oldest).
- `QueryChangedDiskAreas`: answered here (vcsim 0.24 does not have it), from the writes recorded by
  `write_to_running_disk`; without a snapshot, for a VM that is off, up to its current state.

Deviations from vSphere, on purpose or not yet modelled: RevertToSnapshot and snapshots taken around the lab
(straight to vcsim) are not modelled; only a linear chain of snapshots is; a task the lab answers itself (a
refused snapshot, a consolidation) is an effectless reconfiguration of vcsim's under another name (vcsim's event
log shows a reconfiguration); a task's state and error are made vSphere's in its whole `info` (what pyvmomi's
WaitForTask and `task.info` read), not in a read of `info.state` alone; another failure of the lab's own
(qemu-img) is answered as a SystemError naming it; the VM's own disks carry no changeId (only its snapshots'
do); the delta files named in the disks' backings (`vm-000001.vmdk`, as ESXi names them) are not in the
datastore (the lab's deltas are qcow2 files in its work directory).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import tempfile
import threading
from xml.sax.saxutils import escape
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pyVmomi import vim

from lab import session as lab_session
from lab.vcsim import Simulator
from lab.warm import soap
from lab.warm.chain import DiskChain, DiskChainError
from lab.warm.extents import window
from lab.warm.tracking import DiskTracker, UnknownChangeId, all_areas

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade", "host"}
VSPHERE_MAX_SNAPSHOTS = 32
DATASTORE_PATH = re.compile(r"^\[(?P<datastore>[^\]]+)\] ?(?P<path>.*)$")
TASK_REF = re.compile(rb"<returnval type=\"Task\">([^<]+)</returnval>")
SNAPSHOT_ENTITY = re.compile(rb'<entity type="VirtualMachineSnapshot">([^<]+)</entity>')
OBJECT_BLOCK = re.compile(rb"<(objects|objectSet)>(.*?)</\1>", re.DOTALL)
OBJ_REF = re.compile(rb'<obj type="\w+">([^<]+)</obj>')
PLAIN_RESULT = re.compile(rb'<returnval>(<obj type="\w+">[^<]+</obj>.*?)</returnval>', re.DOTALL)  # RetrieveProperties
TASK_ERROR = re.compile(rb"<error>.*?</error>", re.DOTALL)
TASK_NAME = re.compile(rb"<name>[^<]*</name><descriptionId>[^<]*</descriptionId>")
TASK_STATE = re.compile(rb"<state>(?:queued|running|success|error)</state>")
CREATE_SNAPSHOT = b"<name>CreateSnapshot_Task</name><descriptionId>VirtualMachine.createSnapshot</descriptionId>"
CONSOLIDATE_DISKS = (b"<name>ConsolidateVMDisks_Task</name>"
                     b"<descriptionId>VirtualMachine.consolidateDisks</descriptionId>")
DISK_ELEMENT = re.compile(rb'<(\w+) ([\w-]+):type="VirtualDisk">(.*?)</\1>', re.DOTALL)
DEVICE_KEY = re.compile(rb"<key>(-?\d+)</key>")
BACKING = re.compile(rb'(<backing [\w-]+:type="[^"]+">)(.*?)(</backing>)', re.DOTALL)
CHANGE_ID_ELEMENT = re.compile(rb"<changeId>[^<]*</changeId>")
FILE_NAME = re.compile(rb"<fileName>[^<]*</fileName>")


@dataclass
class LabDisk:
    key: int
    file: str  # "[datastore] folder/name.vmdk"
    capacity: int
    chain: DiskChain
    tracker: DiskTracker | None = None


@dataclass
class LabSnapshot:
    moref: str
    change_ids: dict[int, str | None]  # per disk key: the change id it recorded, None when tracking was not on
    removed: bool = False  # gone from the snapshot tree, its delta not merged: the VM needs a consolidation


@dataclass
class LabTask:
    """How the answers about one of vcsim's tasks are made vSphere's: its name, and the error it ends with."""

    name: bytes | None = None  # <name>...</name><descriptionId>...</descriptionId>
    error: bytes | None = None  # an <error> element: the task failed


@dataclass
class LabVm:
    moref: str
    disks: dict[int, LabDisk]
    tracking: str = "off"  # off | pending (enabled, waiting for a stun) | on
    snapshots: list[LabSnapshot] = field(default_factory=list)  # oldest first, one per delta of each disk
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def consolidation_needed(self) -> bool:
        return any(s.removed for s in self.snapshots)

    def start_tracking(self) -> None:
        for disk in self.disks.values():
            disk.tracker = DiskTracker(disk.capacity)
        self.tracking = "on"


class WarmVcenter:
    """Listens on https://127.0.0.1:<port> with `certfile`; `datastores` maps each datastore's name to the
    directory holding its files (the simulator's own); `workdir` takes the deltas."""

    def __init__(self, sim: Simulator, datastores: dict[str, Path], certfile: str, keyfile: str, workdir: Path,
                 *, max_snapshots: int = VSPHERE_MAX_SNAPSHOTS, max_extents_per_answer: int | None = None) -> None:
        self.sim, self.datastores, self.workdir = sim, datastores, workdir
        self.max_snapshots, self.max_extents_per_answer = max_snapshots, max_extents_per_answer
        self.upstream_context = ssl.create_default_context(cafile=str(sim.ca_file))
        self.si = lab_session.connect(sim.host, sim.port, sim.username, sim.password, sim.ca_file, timeout=60)
        self.vms: dict[str, LabVm] = {}
        self.snapshot_vms: dict[str, str] = {}  # snapshot id -> VM id, of the snapshots made through the lab
        self.lab_tasks: dict[str, LabTask] = {}  # task id -> what its answers carry instead of vcsim's
        self.calls: list[str] = []  # every SOAP method called through the layer, in order (for the tests)
        self.served_bytes = 0  # the bytes of datastore files read through the layer (`/folder/`, for the tests)
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.host, self.port = "127.0.0.1", self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        lab_session.disconnect(self.si)

    def __enter__(self) -> WarmVcenter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # What a test does to a running VM.

    def write_to_running_disk(self, vm: str, disk: int, offset: int, data: bytes) -> None:
        """The guest of VM `vm` (moref) writes `data` at `offset` of its disk `disk` (device key): into the
        snapshot's delta when there is one, else into the base VMDK; recorded by change tracking when it is on."""
        self.write_many_to_running_disk(vm, disk, [(offset, data)])

    def write_many_to_running_disk(self, vm: str, disk: int, writes: list[tuple[int, bytes]]) -> None:
        """Each (offset, data) written in order, as `write_to_running_disk` does (one qemu-io for them all)."""
        lab_vm = self.vm(vm)
        with lab_vm.lock:
            if not self._powered_on(vm):
                raise ValueError(f"VM {vm} is powered off: its guest cannot write to its disks")
            target = lab_vm.disks.get(disk)
            if target is None:
                raise ValueError(f"VM {vm} has no disk {disk} on a datastore the lab was given")
            for offset, data in writes:
                if offset < 0 or offset + len(data) > target.capacity:
                    raise ValueError(f"a write at {offset} of {len(data)} bytes is outside disk {disk}")
            target.chain.write(writes)
            if target.tracker is not None:
                for offset, data in writes:
                    target.tracker.record(offset, offset + len(data))

    def vm(self, moref: str) -> LabVm:
        """The lab's record of a VM, made from the simulator's config at first contact."""
        with self.lock:
            if moref not in self.vms:
                self.vms[moref] = self._discover(moref)
            return self.vms[moref]

    def _discover(self, moref: str) -> LabVm:
        row = self._properties(vim.VirtualMachine(moref), ["config.hardware.device", "config.changeTrackingEnabled"])
        disks = {}
        for device in row["config.hardware.device"]:
            if isinstance(device, vim.vm.device.VirtualDisk):
                path = self._local_path(device.backing.fileName)
                if path is None:  # on a datastore the lab was not given: not the lab's to model
                    continue
                disks[device.key] = LabDisk(device.key, device.backing.fileName,
                                            device.capacityInBytes or device.capacityInKB * 1024,
                                            DiskChain(path, self.workdir))
        lab_vm = LabVm(moref, disks)
        if row.get("config.changeTrackingEnabled"):
            lab_vm.start_tracking()
        return lab_vm

    def _local_path(self, file: str) -> Path | None:
        match = DATASTORE_PATH.match(file or "")
        if match is None or match["datastore"] not in self.datastores:
            return None
        return self.datastores[match["datastore"]] / match["path"]

    def _properties(self, obj, paths: list[str]) -> dict:
        return lab_session.properties(self.si, [obj], type(obj), paths)[0]

    def _task_result(self, answer: bytes):
        """The result of the (finished: vcsim runs its tasks before answering) task in a `_Task` answer, or
        None when the call or the task failed."""
        found = TASK_REF.search(answer)
        if found is None:
            return None
        info = self._properties(vim.Task(found.group(1).decode()), ["info.state", "info.result"])
        return info.get("info.result", True) if info["info.state"] == "success" else None

    # The calls the lab takes part in: each returns the answer to send, or None to pass the call through.

    def reconfigure(self, call: soap.Call, forward) -> bytes | None:
        wanted = call.element.find(f"{{{soap.VIM}}}spec/{{{soap.VIM}}}changeTrackingEnabled")
        if wanted is None:
            return None
        lab_vm = self.vm(call.this)
        with lab_vm.lock:
            answer = forward()
            if self._task_result(answer) is None:
                return answer
            if wanted.text == "true" and lab_vm.tracking == "off":
                if self._powered_on(call.this):
                    lab_vm.tracking = "pending"
                else:
                    lab_vm.start_tracking()
            elif wanted.text == "false":
                lab_vm.tracking = "off"
                for disk in lab_vm.disks.values():
                    disk.tracker = None
            return answer

    def power_on(self, call: soap.Call, forward) -> bytes | None:
        lab_vm = self.vm(call.this)
        with lab_vm.lock:
            answer = forward()
            if self._task_result(answer) is not None and lab_vm.tracking == "pending":
                lab_vm.start_tracking()
            return answer

    def create_snapshot(self, call: soap.Call, forward) -> bytes | None:
        lab_vm = self.vm(call.this)
        with lab_vm.lock:
            if len(lab_vm.snapshots) >= self.max_snapshots:
                return self._own_task(call, CREATE_SNAPSHOT, soap.task_error(
                    "TooManySnapshotLevels", "Exceeded the maximum number of permitted snapshots."))
            change_ids: dict[int, str | None] = {key: None for key in lab_vm.disks}
            if lab_vm.tracking == "pending":
                lab_vm.start_tracking()  # the stun starts tracking; this snapshot predates it
            elif lab_vm.tracking == "on":
                change_ids = {key: disk.tracker.take_snapshot() for key, disk in lab_vm.disks.items()}
            answer = forward()
            snapshot = self._task_result(answer)
            if snapshot is None:
                return answer
            for disk in lab_vm.disks.values():
                disk.chain.freeze()
            lab_vm.snapshots.append(LabSnapshot(snapshot._moId, change_ids))
            self.snapshot_vms[snapshot._moId] = call.this
            return answer

    def remove_snapshot(self, call: soap.Call, forward) -> bytes | None:
        owner = next((vm for vm in list(self.vms.values())
                      if any(s.moref == call.this and not s.removed for s in vm.snapshots)), None)
        if owner is None:
            return None
        with owner.lock:
            index = next(i for i, s in enumerate(owner.snapshots) if s.moref == call.this)
            answer = self._forward_keeping_disks(owner, forward)
            if self._task_result(answer) is None:
                return answer
            last = len(owner.snapshots) if call.arguments.get("removeChildren") == "true" else index + 1
            for position in range(index, last):
                owner.snapshots[position].removed = True
            return self._consolidated(owner, answer)

    def remove_all_snapshots(self, call: soap.Call, forward) -> bytes | None:
        lab_vm = self.vm(call.this)
        with lab_vm.lock:
            answer = self._forward_keeping_disks(lab_vm, forward)
            if self._task_result(answer) is None:
                return answer
            for snapshot in lab_vm.snapshots:
                snapshot.removed = True
            return self._consolidated(lab_vm, answer)

    def consolidate_disks(self, call: soap.Call, forward) -> bytes | None:
        """ConsolidateVMDisks_Task (vcsim 0.24 has none): the merges a failed removal left, tried again."""
        lab_vm = self.vm(call.this)
        with lab_vm.lock:
            answer = self._own_task(call, CONSOLIDATE_DISKS, None)
            return self._consolidated(lab_vm, answer)

    def _consolidated(self, lab_vm: LabVm, answer: bytes) -> bytes:
        """Merge the deltas of the removed snapshots, newest first. One that cannot be merged (an image locked by
        a reader) fails the answer's task with FileLocked and is left for a consolidation, as on ESXi, which
        also resets change tracking then: the change ids issued before are no longer valid."""
        for position in reversed(range(len(lab_vm.snapshots))):
            if not lab_vm.snapshots[position].removed:
                continue
            try:
                self._consolidate(lab_vm, position)
            except DiskChainError as error:
                task = TASK_REF.search(answer).group(1).decode()
                self.lab_tasks.setdefault(task, LabTask()).error = soap.file_locked(error.disk_file)
                if lab_vm.tracking == "on":
                    lab_vm.start_tracking()
                break
        return answer

    def _forward_keeping_disks(self, lab_vm: LabVm, forward) -> bytes:
        """Forward a snapshot removal, putting back any disk file vcsim deleted: vcsim 0.24 deletes the files its
        snapshot layout names by key, and the keys move when it refreshes the layout, so the second of two
        snapshots removed one by one can take a disk's extent with it."""
        files = [file for disk in lab_vm.disks.values() for file in disk.chain.files()]
        with tempfile.TemporaryDirectory(dir=self.workdir) as directory:
            kept = Path(directory)
            for index, file in enumerate(files):
                _link_or_copy(file, kept / f"{index}")
            try:
                return forward()
            finally:
                for index, file in enumerate(files):
                    if not file.exists():
                        _link_or_copy(kept / f"{index}", file)

    def _consolidate(self, lab_vm: LabVm, position: int) -> None:
        """Merge delta `position` of every disk. A merge that fails names its disk; the disks before it in the VM's
        order are merged already (the lab's tests lock the first disk, so that none is)."""
        for disk in lab_vm.disks.values():
            try:
                disk.chain.merge_delta(position)
            except DiskChainError as error:
                error.disk_file = disk.file
                raise
        del lab_vm.snapshots[position]

    def query_changed_disk_areas(self, call: soap.Call, forward) -> bytes | None:
        lab_vm = self.vm(call.this)
        with lab_vm.lock:
            disk = lab_vm.disks.get(int(call.arguments.get("deviceKey", "0")))
            if disk is None:
                return soap.not_found("The object or item referred to could not be found.")
            start = int(call.arguments.get("startOffset", "0"))
            if not 0 <= start < disk.capacity:
                return soap.invalid_argument("startOffset")
            snapshot_ref = call.arguments.get("snapshot")
            if snapshot_ref is None:
                # Without a snapshot the disk is the current one: open, and changing, while the VM runs.
                if self._powered_on(call.this) or disk.tracker is None:
                    return soap.file_fault(disk.file)
                position, recorded = len(lab_vm.snapshots), None
            else:
                position = next((i for i, s in enumerate(lab_vm.snapshots)
                                 if s.moref == snapshot_ref and not s.removed), None)
                if position is None:
                    return soap.invalid_argument("snapshot")
                recorded = lab_vm.snapshots[position].change_ids.get(disk.key)
                if recorded is None or disk.tracker is None:
                    return soap.file_fault(disk.file)  # no tracking file for this disk at that snapshot
            change_id = call.arguments.get("changeId", "")
            try:
                if change_id == "*":
                    areas = all_areas(disk.chain.allocated(position), disk.tracker.block, disk.capacity)
                else:
                    areas = disk.tracker.changed_between(change_id, recorded)
            except UnknownChangeId:
                return soap.invalid_argument("changeId")
            return self._page(call.method, window(areas, start, disk.capacity), start, disk.capacity)

    def _page(self, method: str, areas: list, start: int, capacity: int) -> bytes:
        """One answer: all the areas to the disk's end, or the first `max_extents_per_answer` of them with the
        length they cover (the caller asks again from startOffset + length)."""
        limit = self.max_extents_per_answer
        if limit is not None and len(areas) > limit:
            areas = areas[:limit]
            return soap.disk_change_info(method, start, areas[-1][1] - start, areas)
        return soap.disk_change_info(method, start, capacity - start, areas)

    def rewrite_answer(self, call: soap.Call, answer: bytes) -> bytes:
        """vcsim's answer as vSphere's: a task's entity is the VM where vcsim put one of the lab's snapshots, a lab
        snapshot's disks carry the change ids it recorded, and a refused snapshot's task its fault."""
        def vm_entity(found: re.Match) -> bytes:
            vm = self.snapshot_vms.get(found.group(1).decode())
            return found.group(0) if vm is None else f'<entity type="VirtualMachine">{vm}</entity>'.encode()

        wants_path = call.element is not None and any(
            (e.text or "") == "runtime.consolidationNeeded" for e in call.element.iter(f"{{{soap.VIM}}}pathSet"))

        def in_block(block: re.Match) -> bytes:
            obj = OBJ_REF.search(block.group(0))
            return block.group(0) if obj is None else self._as_vsphere(obj.group(1).decode(), block.group(0),
                                                                       wants_path)

        answer = SNAPSHOT_ENTITY.sub(vm_entity, answer)
        if call.method == "Fetch":  # pyvmomi's attribute reads: `snapshot.config`, `task.info`, `vm.runtime`
            return self._as_vsphere(call.this, answer)
        return PLAIN_RESULT.sub(in_block, OBJECT_BLOCK.sub(in_block, answer))

    def _as_vsphere(self, moref: str, text: bytes, wants_path: bool = False) -> bytes:
        """`text`, which holds properties of object `moref`, with what the lab knows of that object."""
        snapshot = self._lab_snapshot(moref)
        if snapshot is not None:  # its disks: the images it froze, with its change ids
            owner = self.vms[self.snapshot_vms[moref]]
            files = self._chain_files(owner, owner.snapshots.index(snapshot) + 1)
            return DISK_ELEMENT.sub(lambda disk: _as_esxi_disk(disk, files, snapshot.change_ids), text)
        vm = self.vms.get(moref)
        if vm is not None and vm.snapshots:  # its disks: the newest deltas, over the images the snapshots froze
            files = self._chain_files(vm, len(vm.snapshots) + 1)
            text = DISK_ELEMENT.sub(lambda disk: _as_esxi_disk(disk, files, None), text)
        if vm is not None and vm.consolidation_needed:
            text = _with_consolidation_needed(text, wants_path)
        task = self.lab_tasks.get(moref)
        if task is not None:
            if task.name is not None:
                text = TASK_NAME.sub(task.name, text)
            if task.error is not None:
                text = TASK_STATE.sub(b"<state>error</state>" + task.error, TASK_ERROR.sub(b"", text), count=1)
        return text

    @staticmethod
    def _chain_files(vm: LabVm, images: int) -> dict[int, list[str]]:
        """Per disk key, the datastore files of the first `images` images of its chain, base first."""
        return {key: disk.chain.datastore_names(disk.file)[:images] for key, disk in vm.disks.items()}

    def _own_task(self, call: soap.Call, name: bytes, error: bytes | None) -> bytes:
        """The answer to a `_Task` call the lab answers itself: a task named `name` that ends in `error` (or
        succeeds). vcsim 0.24 cannot make a task for us, so the lab has it run a reconfiguration without any
        effect (one that edits no device fails, an empty one succeeds) and gives its answers `name` and `error`."""
        vm = vim.VirtualMachine(call.this, self.si._stub)
        nothing = vim.vm.device.VirtualDeviceSpec(operation="edit", device=vim.vm.device.VirtualDevice(key=-4242))
        task = vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[nothing] if error else []))
        self.lab_tasks[task._moId] = LabTask(name, error)
        return soap.task_answer(call.method, task._moId)

    def _lab_snapshot(self, moref: str) -> LabSnapshot | None:
        vm = self.vms.get(self.snapshot_vms.get(moref, ""))
        return next((s for s in vm.snapshots if s.moref == moref), None) if vm else None

    def _powered_on(self, moref: str) -> bool:
        return self._properties(vim.VirtualMachine(moref), ["runtime.powerState"])["runtime.powerState"] == "poweredOn"


RUNTIME_VALUE = re.compile(
    rb'(<propSet><name>runtime</name><val [^>]*>|<returnval [^>]*:type="VirtualMachineRuntimeInfo">)')
OBJ_END = re.compile(rb"(<obj type=\"VirtualMachine\">[^<]+</obj>)")


def _with_consolidation_needed(text: bytes, wants_path: bool) -> bytes:
    """A VM's properties with `runtime.consolidationNeeded` true (vcsim 0.24 never sets it): in its runtime, and
    as the property itself when it was asked for."""
    text = RUNTIME_VALUE.sub(lambda found: found.group(1) + b"<consolidationNeeded>true</consolidationNeeded>", text)
    if wants_path and b"<name>runtime.consolidationNeeded</name>" not in text:
        text = OBJ_END.sub(lambda found: found.group(1) + b"<propSet><name>runtime.consolidationNeeded</name>"
                           b'<val xsi:type="xsd:boolean">true</val></propSet>', text, count=1)
    return text


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError:  # another file system
        shutil.copy2(source, destination)


def _as_esxi_disk(disk: re.Match, files: dict[int, list[str]], change_ids: dict[int, str | None] | None) -> bytes:
    """A VirtualDisk element as ESXi shows it: its backing the newest of its image chain `files[key]` (base
    first), each older one its `parent`; with the change id recorded for it when `change_ids` is given."""
    key = DEVICE_KEY.search(disk.group(3))
    if key is None or int(key.group(1)) not in files:
        return disk.group(0)
    chain = files[int(key.group(1))]
    prefix = disk.group(2).decode()

    def backing(found: re.Match) -> bytes:
        inner = found.group(2)
        if change_ids is not None:
            change_id = change_ids.get(int(key.group(1)))
            inner = CHANGE_ID_ELEMENT.sub(b"", inner) + (f"<changeId>{escape(change_id)}</changeId>".encode()
                                                         if change_id else b"")
        inner = FILE_NAME.sub(f"<fileName>{escape(chain[-1])}</fileName>".encode(), inner, count=1)
        parents = ""
        for file in chain[:-1]:  # the base innermost
            parents = (f'<parent {prefix}:type="VirtualDiskFlatVer2BackingInfo"><fileName>{escape(file)}'
                       f"</fileName><diskMode>persistent</diskMode>{parents}</parent>")
        return found.group(1) + inner + parents.encode() + found.group(3)

    return BACKING.sub(backing, disk.group(0), count=1)


INTERCEPTED = {
    "ReconfigVM_Task": WarmVcenter.reconfigure,
    "PowerOnVM_Task": WarmVcenter.power_on,
    "CreateSnapshot_Task": WarmVcenter.create_snapshot,
    "RemoveSnapshot_Task": WarmVcenter.remove_snapshot,
    "RemoveAllSnapshots_Task": WarmVcenter.remove_all_snapshots,
    "QueryChangedDiskAreas": WarmVcenter.query_changed_disk_areas,
    "ConsolidateVMDisks_Task": WarmVcenter.consolidate_disks,
}


def _handler(lab: WarmVcenter):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self._serve()

        def do_HEAD(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.command == "GET" and self.path.startswith("/folder/"):
                return self._stream()
            call = soap.parse_call(body) if self.command == "POST" and self.path.startswith("/sdk") else None
            if call is not None:
                lab.calls.append(call.method)
            answered: dict = {}

            def forward() -> bytes:
                answered.update(self._upstream(body))
                return answered["data"]

            handler = INTERCEPTED.get(call.method) if call is not None else None
            try:
                own = handler(lab, call, forward) if handler is not None else None
            except DiskChainError as error:
                # A merge that failed (an image locked by a reader, say): the chain is left as it was, and the
                # client is told, rather than left without an answer.
                own, answered = soap.fault("SystemError", str(error), {"reason": str(error)}), {}
            if own is not None and not answered:
                status = 500 if b"<soapenv:Fault>" in own else 200
                return self._send(status, [("Content-Type", "text/xml; charset=utf-8")], own)
            if not answered:
                forward()
            data = lab.rewrite_answer(call, answered["data"]) if call is not None else answered["data"]
            self._send(answered["status"], answered["headers"], data)

        def _upstream(self, body: bytes) -> dict:
            connection = http.client.HTTPSConnection(lab.sim.host, lab.sim.port, context=lab.upstream_context,
                                                     timeout=120)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                connection.request(self.command, self.path, body=body or None, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
                if self.command == "HEAD":
                    kept.append(("Content-Length", answer.getheader("Content-Length") or "0"))
                return {"status": answer.status, "headers": kept, "data": data}
            finally:
                connection.close()

        def _stream(self) -> None:
            """A datastore file read passed on as it comes (a whole disk can be read in one GET)."""
            connection = http.client.HTTPSConnection(lab.sim.host, lab.sim.port, context=lab.upstream_context,
                                                     timeout=120)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                connection.request("GET", self.path, headers=headers)
                answer = connection.getresponse()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.end_headers()
                if answer.getheader("Content-Length") is None:
                    self.close_connection = True  # the end of the body is the end of the connection
                while chunk := answer.read(1024 * 1024):
                    self.wfile.write(chunk)
                    with lab.lock:
                        lab.served_bytes += len(chunk)
            finally:
                connection.close()

        def _send(self, status: int, headers: list, data: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if self.command != "HEAD":
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler
