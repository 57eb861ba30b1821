"""How to read a VMDK through the datastore HTTPS file API, decided from the first bytes of its .vmdk (pure).

qemu's vmdk driver cannot follow a descriptor's relative extent names over HTTPS, so:
- a single-file VMDK (monolithicSparse, streamOptimized: binary, magic `KDMV`) is opened with the vmdk driver;
- a descriptor with one flat extent (`FLAT`/`VMFS`, offset 0: vSphere's usual `disk.vmdk` + `disk-flat.vmdk`,
  thin or thick, and monolithicFlat) is read by opening that extent with the raw driver;
- anything else (twoGbMaxExtent*, a snapshot delta or any disk with a parent, vmfsSparse/seSparse, RDM
  descriptors) cannot be read over HTTPS: use the mounted-datastore transport, or consolidate first.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from migrate.errors import MigrateError

SPARSE_MAGIC = b"KDMV"
SECTOR = 512
EXTENT = re.compile(r'^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+(".*"|\S+))?(?:\s+(\d+))?\s*$')
FLAT_TYPES = {"FLAT", "VMFS"}
NO_PARENT = "ffffffff"


class UnsupportedOverHttpsError(MigrateError):
    """A VMDK's layout cannot be read through the datastore HTTPS file API."""


@dataclass(frozen=True)
class Extent:
    access: str
    sectors: int
    kind: str
    filename: str
    offset: int


@dataclass(frozen=True)
class HttpsRead:
    """The datastore path to open over HTTPS, and whether it is a raw flat extent."""

    path: str
    flat: bool
    size: int | None  # bytes, from the descriptor (None for single-file VMDKs: qemu-img reads the header)


def parse_descriptor(text: str) -> tuple[dict[str, str], list[Extent]]:
    """The `key=value` fields and the extent lines of a VMDK text descriptor."""
    fields: dict[str, str] = {}
    extents: list[Extent] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        found = EXTENT.match(line)
        if found:
            access, sectors, kind, name, offset = found.groups()
            filename = name[1:-1] if name and len(name) > 1 and name[0] == name[-1] == '"' else (name or "")
            extents.append(Extent(access, int(sectors), kind.upper(), filename, int(offset or 0)))
        elif "=" in line:
            key, _, value = line.partition("=")
            fields[key.strip()] = value.strip().strip('"')
    return fields, extents


def https_read(vmdk_path: str, head: bytes) -> HttpsRead:
    """How to read the VMDK at datastore path `vmdk_path` over HTTPS, given its first bytes (a few KiB)."""
    if head.startswith(SPARSE_MAGIC):
        return HttpsRead(vmdk_path, flat=False, size=None)
    try:
        text = head.split(b"\0", 1)[0].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsupportedOverHttpsError(f"{vmdk_path} is neither a sparse VMDK nor a text descriptor") from exc
    fields, extents = parse_descriptor(text)
    if "createType" not in fields:
        raise UnsupportedOverHttpsError(f"{vmdk_path} is neither a sparse VMDK nor a text descriptor")
    if fields.get("parentCID", NO_PARENT).lower() != NO_PARENT:
        raise UnsupportedOverHttpsError(f"{vmdk_path} is a snapshot delta (it has a parent disk): consolidate the "
                                        "VM's snapshots first")
    if len(extents) != 1 or extents[0].kind not in FLAT_TYPES or extents[0].offset != 0:
        kinds = ", ".join(f"{e.kind} {e.filename}" for e in extents) or "no extent"
        raise UnsupportedOverHttpsError(
            f"{vmdk_path} ({fields['createType']}: {kinds}) cannot be read over HTTPS; map its datastore to the "
            "node-mounted transport")
    extent = extents[0]
    return HttpsRead(posixpath.join(posixpath.dirname(vmdk_path), extent.filename), flat=True,
                     size=extent.sectors * SECTOR)
