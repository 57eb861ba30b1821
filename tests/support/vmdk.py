"""VMDK test images made with real qemu-img, in every subformat, from a raw image with random data.

The raw image is sparse on disk; the random chunks sit at offsets that matter to the formats: the start,
an unaligned offset, across the 2 GiB extent boundary of the twoGbMaxExtent* subformats, and the last MiB.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

MIB = 1024 ** 2
GIB = 1024 ** 3
SUBFORMATS = ("monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "streamOptimized")


def data_offsets(size: int) -> list[tuple[int, int]]:
    """(offset, length) of the random chunks written into an image of `size` bytes."""
    chunks = [(0, MIB), (min(17 * MIB, size // 2) + 12345, 300 * 1024), (size - MIB, MIB)]
    if size > 2 * GIB + MIB:
        chunks.insert(2, (2 * GIB - 512 * 1024, MIB))
    return chunks


def make_raw(path: Path, size: int, seed: int = 6) -> Path:
    """A sparse raw image of `size` bytes holding seeded random data at `data_offsets(size)`."""
    rng = random.Random(seed)
    with open(path, "wb") as image:
        image.truncate(size)
        for offset, length in data_offsets(size):
            image.seek(offset)
            image.write(rng.randbytes(length))
    return path


def make_vmdk(raw: Path, path: Path, subformat: str) -> Path:
    """`raw` converted by qemu-img into a VMDK of `subformat` at `path` (with its extents beside it)."""
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o",
                    f"subformat={subformat},adapter_type=lsilogic", str(raw), str(path)],
                   check=True, capture_output=True, timeout=300)
    return path


def vmdk_files(path: Path) -> list[Path]:
    """The descriptor (or single file) and every extent file qemu-img wrote for the VMDK at `path`."""
    return sorted(p for p in path.parent.iterdir() if p.name == path.name or p.name.startswith(path.stem + "-"))


def same_bytes(a: Path, b: Path, length: int) -> bool:
    """Whether the first `length` bytes of two files are identical, byte for byte.

    Holes read as zeroes by definition, so only the ranges holding data in either file are read from both;
    this keeps a 2 GiB sparse comparison to a few MiB of reads.
    """
    with open(a, "rb") as fa, open(b, "rb") as fb:
        ranges = _merge(_data_ranges(fa.fileno(), length) + _data_ranges(fb.fileno(), length))
        for start, end in ranges:
            for offset in range(start, end, 4 * MIB):
                count = min(4 * MIB, end - offset)
                if os.pread(fa.fileno(), count, offset).ljust(count, b"\0") != \
                        os.pread(fb.fileno(), count, offset).ljust(count, b"\0"):
                    return False
    return True


def _data_ranges(fd: int, length: int) -> list[tuple[int, int]]:
    ranges, offset = [], 0
    while offset < length:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError:  # ENXIO: no data after offset
            break
        end = min(os.lseek(fd, start, os.SEEK_HOLE), length)
        if start >= length:
            break
        ranges.append((start, end))
        offset = end
    return ranges


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def allocated_bytes(path: Path, fmt: str = "vmdk") -> int:
    """The bytes of an image that hold data, by the test's own `qemu-img map` (not the toolkit's code)."""
    import json

    done = subprocess.run(["qemu-img", "map", "--output=json", "-f", fmt, str(path)], check=True,
                          capture_output=True, text=True, timeout=120)
    return sum(e["length"] for e in json.loads(done.stdout) if e["data"] and not e["zero"])
