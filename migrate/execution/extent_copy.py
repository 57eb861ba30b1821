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

A flat extent (`disk-flat.vmdk`, as every ESXi datastore holds its disks) read from the node's mount into a raw
volume (a file or a block device) is not a format for qemu to read: its areas are copied by one `perl` process
per batch (perl is part of every Proxmox VE node) with positioned reads and writes, then synced; 655 areas of
64 KiB take a fraction of the 4 s the qemu-img loop takes (about 6 ms per area of process start). A node without
perl, or any other source or volume format, takes the qemu-img loop.

Under a bandwidth limit (`rate`), the perl copy waits whenever the bytes it copied run ahead of the rate, counted
over the whole copy (`Pace`: a batch's SSH command and perl's start are not time lost to the limit); the
qemu-img loop gives each qemu-img `-r`, which paces only what one qemu-img copies (an area smaller than its buffer
is not slowed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from migrate.clients.ssh import NodeShell
from migrate.errors import DiskCopyError
from migrate.execution.disk_copy import INFO_TIMEOUT, describe, stop_stale_writers
from migrate.execution.qemu_img import COOKIE_SECRET_ID, QEMU_IMG, HttpsFile, NodePath, Source, Target, blockdev
from migrate.execution.vmdk_descriptor import UnsupportedOverHttpsError, https_read

BATCH = 1000
WINDOW_BATCH = 64  # under a sync window: a pass pauses at most this many areas after the window closed
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


def _areas_script(cookie: bool, rate: int | None) -> str:
    """The node's qemu-img loop; `rate`: each qemu-img reads at most that many bytes per second (`-r`), and as they
    run one after the other, so does the loop."""
    convert = _CONVERT.replace(" convert ", f" convert -r {int(rate)} ", 1) if rate else _CONVERT
    if not cookie:
        return _loop(convert, with_cookie=False)
    return _loop(f"printf '%s' \"$cookie\" | {convert.replace(' -n ', f' {_SECRET} -n ', 1)}", with_cookie=True)


# $ARGV[0], $ARGV[1]: the flat extent and the raw volume; $ARGV[2..4]: the bytes per second to copy at most (0: as
# fast as it goes), and the bytes and seconds of the copy's earlier batches (`Pace`); then start and length of each
# area. Each area is named on stdout (unbuffered) before it is copied, as the shell loop does, so the copy ends with
# the SSH session.
_RAW_AREAS = r"""
use strict; use IO::Handle; use Time::HiRes (); $| = 1;
my ($from, $to, $rate, $copied, $before) = splice(@ARGV, 0, 5);
my $began = Time::HiRes::time() - $before;
open(my $in, "<:raw", $from) or die "$from: $!\n";
open(my $out, "+<:raw", $to) or die "$to: $!\n";
while (@ARGV) {
    my ($start, $length) = splice(@ARGV, 0, 2);
    print "$start\n" or exit 125;
    for (my $at = $start; $at < $start + $length;) {
        my $want = $start + $length - $at > 4194304 ? 4194304 : $start + $length - $at;
        sysseek($in, $at, 0) or die "$from: $!\n";
        my $got = sysread($in, my $buffer, $want) // die "$from: $!\n";
        $got > 0 or die "$from ends before byte $at\n";
        sysseek($out, $at, 0) or die "$to: $!\n";
        (syswrite($out, $buffer) // -1) == $got or die "$to: $!\n";
        $at += $got;
        $copied += $got;
        if ($rate > 0) {  # ahead of the rate: wait until the bytes copied are due
            my $ahead = $copied / $rate - (Time::HiRes::time() - $began);
            Time::HiRes::sleep($ahead) if $ahead > 0;
        }
    }
}
$out->sync or die "$to: $!\n";
close($out) or die "$to: $!\n";
"""
PERL = "perl"
NOT_FOUND = 127  # the shell's exit code for a command it cannot find


def copy_extents(shell: NodeShell, source: Source, target: Target, extents: Sequence[tuple[int, int]],
                 cookie: str | None = None, rate: int | None = None,
                 before_batch: Callable[[], object] | None = None) -> int:
    """Copy each (start, length) area of `source` into the same area of `target` on the node; the bytes copied.
    `cookie`: the vCenter session cookie an HTTPS source needs; `rate`: bytes per second to read at most (the
    bandwidth limit); `before_batch`: called before each batch (a sync window's gate, which may wait), the batches
    then of `WINDOW_BATCH` areas. Raises DiskCopyError naming the batch's first area when the copy fails."""
    if isinstance(source, HttpsFile):
        source = replace(source, readahead=0, cookie_on_stdin=cookie is not None)
    try:
        words = [json.dumps(blockdev(image), separators=(",", ":")) for image in (source, target)]
    except ValueError as exc:
        raise DiskCopyError(f"the changed areas of {describe(source)} cannot be copied into {target.path} on node "
                            f"{shell.address.label}: {exc}") from None
    stop_stale_writers(shell, target)  # a killed pass's last qemu-img, if it still runs
    flat = flat_extent(shell, source) if target.format == "raw" else None
    batching = Batching(WINDOW_BATCH, before_batch) if before_batch is not None else Batching()
    if flat is not None and _batches(shell, [PERL, "-e", _RAW_AREAS, flat, target.path], extents, None, source,
                                     target, batching, Pace(int(rate or 0)), fall_back=True):
        return sum(length for _, length in extents)
    script = _areas_script(cookie is not None, rate)
    stdin = f"{cookie}\n".encode() if cookie is not None else None
    _batches(shell, ["sh", "-c", script, "sh", *words], extents, stdin, source, target, batching)
    return sum(length for _, length in extents)


def flat_extent(shell: NodeShell, source: Source) -> str | None:
    """The path on the node of the source's one flat extent at offset 0 (`disk-flat.vmdk`, raw bytes), or None
    for a disk qemu must read (sparse, several extents, a delta) or an HTTPS source."""
    if not isinstance(source, NodePath):
        return None
    head = shell.run(["head", "-c", "65536", "--", source.path], timeout=INFO_TIMEOUT)
    if head.rc != 0:
        return None  # qemu-img names the problem
    try:
        read = https_read(source.path, head.stdout.encode())
    except UnsupportedOverHttpsError:
        return None
    return read.path if read.flat else None


@dataclass(frozen=True)
class Batching:
    """How many areas one node command copies, and what is called before each (a sync window's gate)."""

    size: int = 0  # 0: BATCH, read when called (the tests make it smaller)
    before: Callable[[], object] = lambda: None


@dataclass
class Pace:
    """A bandwidth limit held across the perl copy's batches rather than within each: a batch begins owed the time
    the earlier ones lost to their SSH commands, so that the whole copy, not each batch, reads at the rate. A sync
    window's pauses (between batches) are not counted: the copy never bursts after one."""

    rate: int  # bytes per second; 0: no limit
    copied: int = 0  # by the earlier batches
    seconds: float = 0.0  # the earlier batches' time, from the launch of each to its end

    def args(self) -> list[str]:
        # A copy that fell behind the rate (a slow source, a busy node) may catch up by at most CATCH_UP seconds'
        # worth: more would be a burst above the limit, which the limit is there to prevent.
        behind = min(self.seconds, self.copied / self.rate + CATCH_UP) if self.rate else self.seconds
        return [str(self.rate), str(self.copied), f"{behind:.6f}"]


CATCH_UP = 1.0  # seconds: more than the SSH command and perl's start that each batch costs (0.1 s on the lab)


def _batches(shell: NodeShell, argv: list[str], extents: Sequence[tuple[int, int]], stdin: bytes | None,
             source: Source, target: Target, batching: Batching, pace: Pace | None = None,
             fall_back: bool = False) -> bool:
    """Run `argv` with each batch of areas as further arguments (after the pace's, when given); False when
    `fall_back` and the node lacks the command (nothing was copied then)."""
    size = batching.size or BATCH
    for first in range(0, len(extents), size):
        batch = extents[first:first + size]
        batching.before()
        areas = [str(int(n)) for start, length in batch for n in (start, length)]
        launched = time.monotonic()
        result = shell.run([*argv, *(pace.args() if pace else ()), *areas], stdin=stdin, timeout=BATCH_TIMEOUT)
        if pace is not None:
            pace.copied += sum(length for _, length in batch)
            pace.seconds += time.monotonic() - launched
        if fall_back and first == 0 and result.rc == NOT_FOUND:
            return False
        if result.rc != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise DiskCopyError(f"copying {len(batch)} changed areas of {describe(source)} (from byte {batch[0][0]}) "
                                f"into {target.path} failed on node {shell.address.label}: "
                                f"{lines[-1] if lines else f'exit code {result.rc}'}")
    return True
