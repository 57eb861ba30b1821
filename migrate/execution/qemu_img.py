"""The qemu-img command lines the executor runs on a Proxmox node, built as lists of words (pure).

Two transports read a source disk:
- `NodePath`: the datastore is mounted on the node (NFS); the VMDK is opened with the vmdk driver, which
  follows a descriptor to its extents (monolithicFlat, twoGbMaxExtent*).
- `HttpsFile`: the vCenter/ESXi datastore file API (`/folder/<path>?dcPath=&dsName=`) through qemu's curl
  driver. A sparse or streamOptimized VMDK is opened with the vmdk driver; a descriptor's `-flat.vmdk`
  extent with the raw driver (qemu cannot follow a descriptor's relative extent names over HTTPS).
  qemu-img 7.2 can stall for good with more than one coroutine against a keep-alive HTTPS server, so
  HTTPS copies run with `-m 1`. The session cookie is never a word of the command, nor a file on the node's
  disk: a QEMU secret object reads it from the command's stdin (`--object secret,id=…,file=/dev/stdin`), named
  by `file.cookie-secret`, and it dies with the process.

`--target-is-zero` skips writing zeroes, and is only right when the new volume reads as zeroes; see
`ZERO_INITIALIZED_STORAGE_TYPES`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

QEMU_IMG = "qemu-img"
COOKIE_SECRET_ID = "migrate-cookie"

# The storage types whose newly allocated volumes read as zeroes: those for which PVE's storage plugins
# declare the `sparseinit` feature (PVE::Storage::Plugin for the file-based types, for raw, qcow2 and vmdk;
# ZFSPoolPlugin, LvmThinPlugin and RBDPlugin), which is what qemu-server checks before it converts into a
# new volume with its zeroinit filter. Thick LVM (`lvm`) and iSCSI LUNs are absent: a new LV holds whatever
# the previous owner of its extents wrote, so skipping zero regions would leak another VM's data.
# Unknown types are treated as not zeroed.
ZERO_INITIALIZED_STORAGE_TYPES = frozenset(
    {"dir", "nfs", "cifs", "glusterfs", "cephfs", "btrfs", "zfspool", "lvmthin", "rbd"}
)

# `pvesm path` of an RBD volume without krbd: pool/image, then `:key=value` options (conf, id, keyring, mon_host).
RBD_VOLUME = re.compile(r"rbd:[A-Za-z0-9_.][A-Za-z0-9_.-]*/[A-Za-z0-9_.][A-Za-z0-9_.-]*(:[A-Za-z0-9_.=/;,@+\\:-]*)?")
PROGRESS = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*/\s*100%\)")


@dataclass(frozen=True)
class NodePath:
    """A source disk on a datastore mounted on the node: the absolute path of its .vmdk (descriptor or file)."""

    path: str
    format: str = "vmdk"


@dataclass(frozen=True)
class HttpsFile:
    """A source disk read through the datastore file API.

    `url` is the complete, percent-encoded URL of the file (for a descriptor + extent disk, of its
    `-flat.vmdk`, with `flat=True`). With `cookie_on_stdin`, the session cookie (`vmware_soap_session=…`) is
    read from the command's stdin, which the caller feeds.
    """

    url: str
    flat: bool = False
    verify_tls: bool = True
    cookie_on_stdin: bool = False
    timeout: int = 60
    readahead: int = 1024 * 1024


Source = NodePath | HttpsFile


@dataclass(frozen=True)
class Target:
    """An allocated Proxmox volume, by its path on the node (raw file or block device, or qcow2 file)."""

    path: str
    format: str = "raw"
    zeroed: bool = False  # True only for a fresh volume on a storage type in ZERO_INITIALIZED_STORAGE_TYPES


def target_is_zero_safe(storage_type: str) -> bool:
    """Whether a new volume on this PVE storage type is guaranteed to read as zeroes."""
    return storage_type in ZERO_INITIALIZED_STORAGE_TYPES


def convert_argv(source: Source, target: Target, *, progress: bool = True, rate: int | None = None) -> list[str]:
    """`qemu-img convert -n` from the source into the already allocated target volume; `rate`: at most that
    many bytes of data per second (qemu-img's `-r`: holes are not counted)."""
    _volume(target.path)
    argv = [QEMU_IMG, "convert"]
    if progress:
        argv.append("-p")
    if rate:
        argv += ["-r", str(int(rate))]
    argv += ["-n", "-O", target.format]
    if target.zeroed:
        argv.append("--target-is-zero")
    argv += _source_words(source, coroutines=True)
    return [*argv, target.path]


def compare_argv(source: Source, target: Target) -> list[str]:
    """`qemu-img compare` of the source and the target (exit code 0: identical, 1: different)."""
    _volume(target.path)
    return [QEMU_IMG, "compare", *_source_words(source, coroutines=False), "-F", target.format, target.path]


def info_argv(image: Source | Target) -> list[str]:
    """`qemu-img info` as JSON (for the virtual size) of a source disk or a target volume."""
    if isinstance(image, Target):
        _volume(image.path)
        return [QEMU_IMG, "info", "--output=json", "-f", image.format, image.path]
    return [QEMU_IMG, "info", "--output=json", *_source_words(image, coroutines=False)]


def map_argv(source: Source) -> list[str]:
    """`qemu-img map` as JSON of a source disk: its extents, each flagged data or zero (see `allocated_bytes`)."""
    return [QEMU_IMG, "map", "--output=json", *_source_words(source, coroutines=False)]


def allocated_bytes(map_json: str) -> int:
    """The bytes of a `qemu-img map --output=json` that hold data (not holes, not zeroes): what a copy reads.

    A driver that cannot tell (qemu's https driver under raw: a `-flat.vmdk` over HTTPS) reports every extent as
    data, and then the copy does read every byte of it.
    """
    return sum(int(e["length"]) for e in json.loads(map_json) if e.get("data") and not e.get("zero"))


def parse_progress(line: str) -> float | None:
    """The fraction done in one `-p` progress line such as `    (12.00/100%)`, or None for any other line."""
    found = PROGRESS.search(line)
    return min(float(found.group(1)) / 100.0, 1.0) if found else None


def _source_words(source: Source, *, coroutines: bool) -> list[str]:
    if isinstance(source, NodePath):
        _absolute(source.path)
        return ["-f", source.format, source.path]
    words = []
    if source.cookie_on_stdin:
        words += ["--object", f"secret,id={COOKIE_SECRET_ID},file=/dev/stdin"]
    if coroutines:
        words += ["-m", "1"]
    return [*words, https_filename(source)]


def https_filename(source: HttpsFile) -> str:
    """The `json:` filename opening the URL with qemu's https driver, under the vmdk or raw driver."""
    return "json:" + json.dumps(_https_blockdev(source), separators=(",", ":"))


def _https_blockdev(source: HttpsFile) -> dict:
    if not source.url.startswith("https://"):
        raise ValueError(f"not an https URL: {source.url!r}")
    file = {"driver": "https", "url": source.url, "sslverify": source.verify_tls, "timeout": source.timeout,
            "readahead": source.readahead}
    if source.cookie_on_stdin:
        file["cookie-secret"] = COOKIE_SECRET_ID
    return {"driver": "raw" if source.flat else "vmdk", "file": file}


def _absolute(path: str) -> None:
    # An absolute path can be neither an option (-x) nor a protocol prefix (proto:...) to qemu-img.
    if not path.startswith("/"):
        raise ValueError(f"qemu-img paths must be absolute: {path!r}")


def _volume(path: str) -> None:
    """A target volume: an absolute path, or the `rbd:pool/image:...` address PVE gives a Ceph RBD volume on a
    storage without krbd (qemu-img opens it with its rbd driver, as PVE's own QEMU does)."""
    if not RBD_VOLUME.fullmatch(path):
        _absolute(path)


def blockdev(image: Source | Target) -> dict:
    """The block node that opens a source disk or a target volume as qemu-img would (format over protocol), for a
    `json:` filename that reads or writes only part of it (`extent_copy`). An HTTPS source is opened by its URL as
    for a copy (its cookie, if any, from the secret object of `cookie_on_stdin`). A volume on a block device (LVM,
    ZFS zvol) is opened with `host_device`, which qemu requires for one; an RBD address is not a path and is
    refused."""
    if isinstance(image, HttpsFile):
        return _https_blockdev(image)
    if isinstance(image, Target) and RBD_VOLUME.fullmatch(image.path):
        raise ValueError(f"an RBD volume cannot be written in areas by path: {image.path!r}")
    _absolute(image.path)
    protocol = {"driver": "host_device" if image.path.startswith("/dev/") else "file", "filename": image.path}
    return protocol if image.format == "raw" else {"driver": image.format, "file": protocol}
