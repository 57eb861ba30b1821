"""Copy only some areas of a disk into its target volume, on the node: what a later pass of a warm copy does.

Each area (start, length) is copied by one `qemu-img convert -n` whose source and target are the disk and the
volume seen through a raw window at that offset (`{"driver": "raw", "offset": …, "size": …, "file": …}`): the
source is read by its own format (any VMDK subformat), the volume written in its own, and no byte passes through
the controller. One SSH command runs a batch of areas (about 6 ms each here); the areas are its arguments, a
short line each, so a batch stays far below SSH's packet and the node's argument limits.

A controller that dies mid-batch would leave the node's loop running, writing behind the next pass: the loop
names each area on its stdout before copying it, and that write fails once the SSH session has gone (its pipe
closed), which ends the loop; the one `qemu-img` it may have running then is stopped as a stale writer of the
volume before the next pass writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from migrate.clients.ssh import NodeShell
from migrate.errors import DiskCopyError
from migrate.execution.disk_copy import describe, stop_stale_writers
from migrate.execution.qemu_img import QEMU_IMG, Source, Target, blockdev

BATCH = 1000
BATCH_TIMEOUT = 3600.0
# $1, $2: the source's and the target's block nodes as JSON; then start and length of each area.
_AREAS = (
    'src=$1 tgt=$2; shift 2; '
    'while [ $# -gt 1 ]; do '
    'echo "$1" || exit 125; '
    + QEMU_IMG + ' convert -n "json:{\\"driver\\":\\"raw\\",\\"offset\\":$1,\\"size\\":$2,\\"file\\":$src}" '
    '"json:{\\"driver\\":\\"raw\\",\\"offset\\":$1,\\"size\\":$2,\\"file\\":$tgt}" || exit $?; '
    'shift 2; done')


def copy_extents(shell: NodeShell, source: Source, target: Target, extents: Sequence[tuple[int, int]]) -> int:
    """Copy each (start, length) area of `source` into the same area of `target` on the node; the bytes copied.
    Raises DiskCopyError naming the batch's first area when qemu-img fails."""
    stop_stale_writers(shell, target)  # a killed pass's last qemu-img, if it still runs
    try:
        words = [json.dumps(blockdev(image), separators=(",", ":")) for image in (source, target)]
    except ValueError as exc:
        raise DiskCopyError(f"the changed areas of {describe(source)} cannot be copied into {target.path} on node "
                            f"{shell.address.label}: {exc}") from None
    for first in range(0, len(extents), BATCH):
        batch = extents[first:first + BATCH]
        areas = [str(int(n)) for start, length in batch for n in (start, length)]
        result = shell.run(["sh", "-c", _AREAS, "sh", *words, *areas], timeout=BATCH_TIMEOUT)
        if result.rc != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise DiskCopyError(f"copying {len(batch)} changed areas of {describe(source)} (from byte {batch[0][0]}) "
                                f"into {target.path} failed on node {shell.address.label}: "
                                f"{lines[-1] if lines else f'exit code {result.rc}'}")
    return sum(length for _, length in extents)
