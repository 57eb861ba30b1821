"""A virtual disk's chain of images: its base VMDK in the datastore and one delta per snapshot.

While a snapshot exists the guest's writes go to the newest delta and the images below it stay frozen, as
on ESXi; removing a snapshot merges the delta it created into the image below (`qemu-img commit`), so removing
the only snapshot writes the delta into the base VMDK file in place. The deltas are qcow2 images in the lab's
work directory (ESXi's own are `-00000N.vmdk` files beside the base; nothing here reads them from the
datastore). A streamOptimized base is never written by the guest (ESXi cannot run such a disk: it is an
export format); a merge into it is left to qemu-img, which refuses to rewrite a grain it holds.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from lab.warm.extents import Extent, merge

QEMU_TIMEOUT = 600


class DiskChainError(RuntimeError):
    """qemu-img or qemu-io failed on one of the chain's images."""


def _run(*args: str) -> str:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=QEMU_TIMEOUT)
    if done.returncode != 0:
        raise DiskChainError(f"{args[0]} {args[1]} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


class DiskChain:
    def __init__(self, base: Path, workdir: Path) -> None:
        self.base, self.workdir = base, workdir
        self.deltas: list[Path] = []

    def images(self) -> list[Path]:
        return [self.base, *self.deltas]

    def _fmt(self, image: Path) -> str:
        return "vmdk" if image == self.base else "qcow2"

    def write(self, writes: list[tuple[int, bytes]]) -> None:
        """The guest writes each (offset, data), in order: into the newest delta, or the base when there is no
        snapshot; one qemu-io for them all."""
        top = self.images()[-1]
        self._refuse_stream_optimized(top)
        with tempfile.TemporaryDirectory(dir=self.workdir) as directory:
            commands = []
            for index, (offset, data) in enumerate(writes):
                source = Path(directory, str(index))
                source.write_bytes(data)
                commands += ["-c", f"write -q -s {source} {offset} {len(data)}"]
            _run("qemu-io", "-f", self._fmt(top), *commands, str(top))

    def _refuse_stream_optimized(self, image: Path) -> None:
        if image == self.base and "streamOptimized" in _descriptor(self.base):
            raise DiskChainError(f"{self.base.name} is streamOptimized: ESXi cannot run such a disk, so its guest "
                                 "never writes it")

    def freeze(self) -> None:
        """A snapshot: the current top is frozen and a new delta over it takes the writes."""
        top = self.images()[-1]
        delta = self.workdir / f"{self.base.stem}-{self._free_number():06d}.qcow2"
        _run("qemu-img", "create", "-q", "-f", "qcow2", "-b", str(top), "-F", self._fmt(top), str(delta))
        self.deltas.append(delta)

    def _free_number(self) -> int:
        """The delta's number, as ESXi picks it: the lowest one no delta of the disk uses now."""
        used = {int(delta.stem.rsplit("-", 1)[1]) for delta in self.deltas}
        return next(n for n in range(1, len(used) + 2) if n not in used)

    def merge_delta(self, index: int) -> None:
        """Remove the snapshot that made delta `index` (0 = the oldest): the delta is written into the image
        below it, and the delta above it (if any) is put on that image."""
        delta = self.deltas[index]
        below = self.images()[index]
        _run("qemu-img", "commit", "-q", "-d", "-f", "qcow2", str(delta))
        if index + 1 < len(self.deltas):
            _run("qemu-img", "rebase", "-q", "-u", "-f", "qcow2", "-b", str(below), "-F", self._fmt(below),
                 str(self.deltas[index + 1]))
        del self.deltas[index]
        delta.unlink()

    def files(self) -> list[Path]:
        """The base VMDK's files in the datastore: the descriptor (or sparse file) and its extents."""
        if not self.base.parent.is_dir():
            return []
        return sorted(p for p in self.base.parent.iterdir()
                      if p.name == self.base.name or p.name.startswith(self.base.stem + "-"))

    def datastore_names(self, base_file: str) -> list[str]:
        """The datastore path ESXi shows for each image, base first: `[ds] vm/vm.vmdk`, then the delta made Nth
        as `[ds] vm/vm-00000N.vmdk`."""
        stem = base_file.removesuffix(".vmdk")
        return [base_file] + [f"{stem}-{delta.stem.rsplit('-', 1)[1]}.vmdk" for delta in self.deltas]

    def allocated(self, frozen_index: int) -> list[Extent]:
        """The areas holding data in the disk as frozen at image `frozen_index` (with what lies below it)."""
        image = self.images()[frozen_index]
        found = json.loads(_run("qemu-img", "map", "--output=json", "-f", self._fmt(image), str(image)))
        return merge((e["start"], e["start"] + e["length"]) for e in found if e["data"])


def _descriptor(base: Path) -> str:
    """The VMDK's text descriptor (a sparse file's embedded one too), enough to tell its subformat."""
    with open(base, "rb") as file:
        head = file.read(64 * 1024)
    return head.decode("latin-1")
