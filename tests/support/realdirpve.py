"""fakepve with real image files: `RealDirPve` creates the file of a volume allocated on a `dir` storage.

fakepve 0.5.0 records an allocated volume and answers its path, but never creates the file, so
`qemu-img convert -n` into it would fail. Real PVE creates it with `qemu-img create`; so does this subclass.
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

    async def _content_create(self, v, user):
        volid = await super()._content_create(v, user)
        storage, volname = volid.split(":", 1)
        store = self.storages[storage]
        if store.get("type", "dir") == "dir":
            volume = store["volumes"][volname]
            path = self._volume_path(storage, volname, "images")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            subprocess.run(["qemu-img", "create", "-q", "-f", volume["format"], path, str(volume["size"])],
                           check=True, capture_output=True)
        return volid


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
