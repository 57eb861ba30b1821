"""fakepve with real image files: `RealDirPve` creates the file of a volume allocated on a `dir` storage.

fakepve 0.5.0 records an allocated volume and answers its path, but never creates the file, so
`qemu-img convert -n` into it would fail. Real PVE creates it with `qemu-img create`; so does this subclass.
A thick `lvm` storage added with `add_lvm_storage` has its logical volumes stand in as files in a directory:
raw, named `vm-<vmid>-...` as PVE requires, and full of the bytes an earlier owner of the extents left
(PVE's LVM plugin does not zero a new LV, and has no `sparseinit`).
`ServedPve` runs a fake on its own event loop in a thread, as fakepve's pytest plugin does.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading

from fakepve.server import FakePve, settle

START_TIMEOUT = 30


class RealDirPve(FakePve):
    """A FakePve whose `dir` storages hold a real, zeroed image file for every allocated volume."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # lvm storage -> (the directory standing in for its volume group, the byte a new LV is full of)
        self.lvm_files: dict[str, tuple[str, bytes]] = {}
        # An async callable a test may set, awaited before each volume allocation (to hold a run there).
        self.before_allocate = None

    async def _content_create(self, v, user):
        if self.before_allocate is not None:
            await self.before_allocate(v)
        volid = await super()._content_create(v, user)
        storage, volname = volid.split(":", 1)
        store = self.storages[storage]
        if storage in self.lvm_files:
            volume = store["volumes"][volname]
            _fill(self._volume_path(storage, volname, "images"), int(volume["size"]), self.lvm_files[storage][1])
        elif store.get("type", "dir") == "dir":
            volume = store["volumes"][volname]
            path = self._volume_path(storage, volname, "images")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            subprocess.run(["qemu-img", "create", "-q", "-f", volume["format"], path, str(volume["size"])],
                           check=True, capture_output=True)
        return volid

    def _volume_path(self, name, volname, vtype):
        if name in self.lvm_files:
            return os.path.join(self.lvm_files[name][0], volname)
        return super()._volume_path(name, volname, vtype)


def add_lvm_storage(pve: RealDirPve, name: str, directory, fill: bytes = b"\xff", total: int = 100 * 1024**3) -> None:
    """A thick LVM storage `name` whose volumes are files in `directory`, each full of `fill` when allocated."""
    os.makedirs(directory, exist_ok=True)
    pve.storages[name] = {"type": "lvm", "vgname": "pve", "content": "images", "active": 1, "shared": 0,
                          "files": set(), "volumes": {}, "total": total, "avail": total}
    pve.lvm_files[name] = (str(directory), fill)


def _fill(path: str, size: int, byte: bytes) -> None:
    chunk = byte * (1 << 20)
    with open(path, "wb") as volume:
        for offset in range(0, size, len(chunk)):
            volume.write(chunk[: min(len(chunk), size - offset)])


class ServedPve:
    """A FakePve served on a private event loop in a daemon thread; `stop()` ends it."""

    def __init__(self, pve: FakePve, certfile: str, keyfile: str) -> None:
        self.pve = pve
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="realdirpve", daemon=True)
        self.thread.start()
        self._call(pve.start(certfile, keyfile))

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(START_TIMEOUT)

    def stop(self) -> None:
        try:
            self._call(settle())
            self._call(self.pve.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(START_TIMEOUT)
