"""Copy only some areas of a disk into its target volume, on the node: what a later pass of a warm copy does.

Each area (start, length) is copied by one `qemu-img convert -n` whose source and target are the disk and the
volume seen through a raw window at that offset (`{"driver": "raw", "offset": …, "size": …, "file": …}`): the
source is read by its own format (any VMDK subformat), the volume written in its own, and no byte passes through
the controller. One SSH command runs a batch of areas (about 6 ms each from a mount); the areas are its
arguments, a short line each, so a batch stays far below SSH's packet and the node's argument limits.

Over HTTPS (the datastore file API), each area is a Range request of exactly its bytes (no read-ahead), and the
session cookie reaches the node on the command's stdin: the shell reads it once into a variable and hands it to
each qemu-img's secret object through a pipe from its `printf` builtin, so it is never a word of a command line
nor in a file.

A controller that dies mid-batch would leave the node's loop running, writing behind the next pass: the loop
names each area on its stdout before copying it, and that write fails once the SSH session has gone (its pipe
closed), which ends the loop; the one `qemu-img` it may have running then is stopped as a stale writer of the
volume before the next pass writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from migrate.clients.ssh import NodeShell
from migrate.errors import DiskCopyError
from migrate.execution.disk_copy import describe, stop_stale_writers
from migrate.execution.qemu_img import COOKIE_SECRET_ID, QEMU_IMG, HttpsFile, Source, Target, blockdev

BATCH = 1000
BATCH_TIMEOUT = 3600.0
_WINDOW = '"json:{\\"driver\\":\\"raw\\",\\"offset\\":$1,\\"size\\":$2,\\"file\\":$%s}"'
_CONVERT = f'{QEMU_IMG} convert -n {_WINDOW % "src"} {_WINDOW % "tgt"}'
_SECRET = f"--object secret,id={COOKIE_SECRET_ID},file=/dev/stdin"


def _loop(convert: str, with_cookie: bool) -> str:
    """The node's loop: $1, $2 the source's and the target's block nodes as JSON, then start and length of each
    area; with a cookie, its first stdin line."""
    head = 'IFS= read -r cookie || exit 124; ' if with_cookie else ''
    return (head + 'src=$1 tgt=$2; shift 2; while [ $# -gt 1 ]; do echo "$1" || exit 125; '
            + convert + ' || exit $?; shift 2; done')


_AREAS = _loop(_CONVERT, with_cookie=False)
_AREAS_WITH_COOKIE = _loop(f"printf '%s' \"$cookie\" | {_CONVERT.replace(' -n ', f' {_SECRET} -n ', 1)}",
                           with_cookie=True)


def copy_extents(shell: NodeShell, source: Source, target: Target, extents: Sequence[tuple[int, int]],
                 cookie: str | None = None) -> int:
    """Copy each (start, length) area of `source` into the same area of `target` on the node; the bytes copied.
    `cookie`: the vCenter session cookie an HTTPS source needs. Raises DiskCopyError naming the batch's first
    area when qemu-img fails."""
    if isinstance(source, HttpsFile):
        source = replace(source, readahead=0, cookie_on_stdin=cookie is not None)
    try:
        words = [json.dumps(blockdev(image), separators=(",", ":")) for image in (source, target)]
    except ValueError as exc:
        raise DiskCopyError(f"the changed areas of {describe(source)} cannot be copied into {target.path} on node "
                            f"{shell.address.label}: {exc}") from None
    stop_stale_writers(shell, target)  # a killed pass's last qemu-img, if it still runs
    script, stdin = (_AREAS_WITH_COOKIE, f"{cookie}\n".encode()) if cookie is not None else (_AREAS, None)
    for first in range(0, len(extents), BATCH):
        batch = extents[first:first + BATCH]
        areas = [str(int(n)) for start, length in batch for n in (start, length)]
        result = shell.run(["sh", "-c", script, "sh", *words, *areas], stdin=stdin, timeout=BATCH_TIMEOUT)
        if result.rc != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise DiskCopyError(f"copying {len(batch)} changed areas of {describe(source)} (from byte {batch[0][0]}) "
                                f"into {target.path} failed on node {shell.address.label}: "
                                f"{lines[-1] if lines else f'exit code {result.rc}'}")
    return sum(length for _, length in extents)
