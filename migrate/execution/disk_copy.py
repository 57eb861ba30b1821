"""Copy one disk on a Proxmox node: qemu-img reads the source and writes the allocated volume, over SSH.

The bytes never pass through the controller. What the caller (the executor's copy step) owns:
- allocating the target volume through the API and giving its path here (this module creates and
  deletes no volume, and removes only the cookie file it wrote itself);
- journaling: record the disk as "copying" before `copy_disk` and "copied" after it returns. A disk found
  "copying" on resume was interrupted: copy it again with `DiskCopyJob.retry()`, which drops
  `--target-is-zero` (the volume now holds part of the earlier attempt) and first stops any qemu-img of
  that attempt still writing the volume. A "copied" disk is never copied again.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from migrate.clients.ssh import CommandResult, NodeShell
from migrate.errors import (
    DiskCopyError,
    DiskCopyHttpError,
    DiskCopyStalledError,
    NodeCommandTimeoutError,
    datastore_http_fix,
)
from migrate.execution.qemu_img import (
    QEMU_IMG,
    HttpsFile,
    NodePath,
    Source,
    Target,
    compare_argv,
    convert_argv,
    allocated_bytes,
    info_argv,
    map_argv,
    parse_progress,
)


log = logging.getLogger(__name__)

# qemu-img prints progress at each whole percent, so one update can be minutes apart on a big, slow disk.
STALL_TIMEOUT = 900.0
INFO_TIMEOUT = 120.0
# qemu-img processes writing the target: named as the last word of their command line (as copy_disk runs
# them; one that is still opening its source has not opened the target yet), or holding it open (by its
# canonical path, so /dev/pve/x symlinks match).
_WRITERS = ('t=$(readlink -f -- "$1") || t=$1; for p in /proc/[0-9]*; do '
            'read -r c 2>/dev/null < "$p/comm" && [ "$c" = qemu-img ] || continue; '
            'last=$(tr "\\0" "\\n" 2>/dev/null < "$p/cmdline" | tail -n 1); '
            'if [ "$last" = "$1" ] || [ "$last" = "$t" ]; then echo "${p#/proc/}"; continue; fi; '
            'for f in "$p"/fd/*; do [ "$(readlink "$f" 2>/dev/null)" = "$t" ] && { echo "${p#/proc/}"; break; }; '
            'done; done; true')  # the loop's status is its last test's: a foreign qemu-img scanned last is no error
STOP_WAIT = 10.0
# `qemu-img map` of a sparse VMDK over HTTPS reads its grain tables: about 1/16384 of the disk's size.
MAP_TIMEOUT = 600.0
# What qemu-img 7.2's curl driver prints when the server answers an HTTP error status: on opening the file
# ("CURL: Error opening file: The requested URL returned error: 503", its HEAD request) or on a read ("curl: The
# requested URL returned error: 503", followed by "error while reading at byte 0: Input/output error").
HTTP_ERROR = re.compile(r"[Cc][Uu][Rr][Ll]: .*?returned error: (\d{3})")


@dataclass(frozen=True)
class DiskCopyJob:
    """One disk to copy: where it is read, the volume it is written into, and its size from the plan."""

    source: Source
    target: Target
    size: int
    cookie: str | None = field(default=None, repr=False)  # the vCenter session cookie, HTTPS sources only
    resumed: bool = False  # an earlier attempt was interrupted: its qemu-img may still be writing
    rate: int | None = None  # bytes of data per second at most (the run's bandwidth limit), None: as fast as it goes

    def retry(self) -> DiskCopyJob:
        """The same copy after an interrupted attempt.

        The volume is no longer known to read as zeroes, and a qemu-img left from that attempt (its SSH
        connection or the controller died) is stopped before the new one starts.
        """
        return replace(self, target=replace(self.target, zeroed=False), resumed=True)


@dataclass(frozen=True)
class CopyOutcome:
    """What a finished copy did: the size copied, how long it took, and whether it was compared."""

    size: int
    seconds: float
    compared: bool


def copy_disk(shell: NodeShell, job: DiskCopyJob, *, on_progress: Callable[[float], None] | None = None,
              compare: bool = False, stall_timeout: float = STALL_TIMEOUT) -> CopyOutcome:
    """Copy the source into the target volume on the node, reporting progress as a fraction (0..1).

    Checks first that the source has the planned size and the volume exists and is big enough; with
    `compare`, runs `qemu-img compare` afterwards. Raises DiskCopyError (or DiskCopyStalledError).
    """
    started = time.monotonic()
    source, secret = _reading(job.source, job.cookie)
    source_size = probe_source(shell, job.source, job.cookie, job.size)
    target_size = _virtual_size(shell, job.target, None, "target")
    if target_size < source_size:
        raise DiskCopyError(f"target volume {job.target.path} on node {shell.address.label} holds "
                            f"{target_size} bytes, less than the source's {source_size}: allocate it again")
    if job.resumed:
        stop_stale_writers(shell, job.target)
    _convert(shell, source, job.target, on_progress, stall_timeout, secret, job.rate)
    if compare:
        _compare(shell, source, job.target, secret)
    return CopyOutcome(source_size, time.monotonic() - started, compare)


def probe_source(shell: NodeShell, source: Source, cookie: str | None, size: int) -> int:
    """Read the source's header on the node as the copy does (its path, or its URL with the cookie on stdin) and
    check it has the planned `size` bytes, which it returns; preflight asks this before the source is stopped.
    Raises DiskCopyError."""
    found = _virtual_size(shell, *_reading(source, cookie), "source")
    if found != size:
        raise DiskCopyError(f"source {describe(source)} is {found} bytes, the plan says {size}: the disk changed "
                            "since planning; plan the wave again")
    return found


def source_allocation(shell: NodeShell, job: DiskCopyJob) -> int | None:
    """The bytes of the source that hold data, as qemu-img reads it for the copy (`qemu-img map` on the node):
    what the copy moves. None, with a warning in the log, when qemu-img cannot tell: the copy goes on."""
    source, secret = _reading(job.source, job.cookie)
    try:
        result = shell.run(map_argv(source), stdin=secret, timeout=MAP_TIMEOUT)
    except NodeCommandTimeoutError:
        log.warning("qemu-img map of %s took over %.0f s: its bytes moved stay unknown", describe(job.source),
                    MAP_TIMEOUT)
        return None
    if result.rc != 0:
        log.warning("qemu-img map of %s failed: %s; its bytes moved stay unknown", describe(job.source),
                    _last_line(result.stderr))
        return None
    try:
        return allocated_bytes(result.stdout)
    except (ValueError, KeyError, TypeError):
        log.warning("qemu-img map of %s printed no extents: its bytes moved stay unknown", describe(job.source))
        return None


def require_qemu_img(shell: NodeShell) -> None:
    """Raise DiskCopyError naming the fix when the node has no working qemu-img."""
    result = shell.run([QEMU_IMG, "--version"], timeout=INFO_TIMEOUT)
    if result.rc != 0:
        raise DiskCopyError(f"node {shell.address.label} cannot run {QEMU_IMG} ({_last_line(result.stderr)}): "
                            "install it there (apt install qemu-utils; a Proxmox VE node has it)")


def compare_disk(shell: NodeShell, job: DiskCopyJob) -> None:
    """`qemu-img compare` of the job's source with its target, on the node (the source read as for the copy,
    the cookie of an HTTPS source on qemu-img's stdin). Raises DiskCopyError when they differ."""
    source, secret = _reading(job.source, job.cookie)
    _compare(shell, source, job.target, secret)


def stale_writers(shell: NodeShell, target: Target) -> list[int]:
    """The PIDs of qemu-img processes on the node that write (or are about to write) the target volume.

    One VM is only ever worked on by one run (the database locks it), so such a process is left over
    from an attempt whose SSH connection dropped: it may still be writing.
    """
    result = shell.run(["sh", "-c", _WRITERS, "sh", target.path], timeout=INFO_TIMEOUT)
    _check(result, shell, f"looking for processes writing {target.path}")
    return [int(pid) for pid in result.stdout.split()]


def stop_stale_writers(shell: NodeShell, target: Target) -> list[int]:
    """Stop (TERM, then KILL after STOP_WAIT seconds) every qemu-img still writing the target; returns their PIDs."""
    pids = stale_writers(shell, target)
    if not pids:
        return []
    shell.run(["kill", "-TERM", "--", *map(str, pids)])
    deadline = time.monotonic() + STOP_WAIT
    while (left := stale_writers(shell, target)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        shell.run(["kill", "-KILL", "--", *map(str, left)])
    return pids


def describe(source: Source) -> str:
    """The source as a person would name it: its path, or its URL (which never holds the cookie)."""
    return source.path if isinstance(source, NodePath) else source.url


def _convert(shell, source, target, on_progress, stall_timeout, secret, rate) -> None:
    def on_line(line: str) -> None:
        fraction = parse_progress(line)
        if fraction is not None and on_progress is not None:
            on_progress(fraction)

    try:
        result = shell.stream(convert_argv(source, target, rate=rate), on_line, stdin=secret,
                              idle_timeout=stall_timeout)
    except NodeCommandTimeoutError as exc:
        # Closing the channel does not end a command started without a terminal: stop it, or it would
        # go on writing the volume behind the next attempt.
        stop_stale_writers(shell, target)
        raise DiskCopyStalledError(f"copy of {describe(source)} into {target.path} stalled: {exc}; "
                                   "check the source's network and run again") from exc
    _check(result, shell, f"qemu-img convert of {describe(source)} into {target.path}")


def _compare(shell, source, target, secret) -> None:
    result = shell.run(compare_argv(source, target), stdin=secret)
    if result.rc == 1:
        raise DiskCopyError(f"target {target.path} on node {shell.address.label} differs from "
                            f"{describe(source)}: {_last_line(result.stdout)}; copy the disk again")
    _check(result, shell, f"qemu-img compare of {describe(source)} and {target.path}")


def _virtual_size(shell: NodeShell, image: Source | Target, secret: bytes | None, role: str) -> int:
    result = shell.run(info_argv(image), stdin=secret, timeout=INFO_TIMEOUT)
    name = image.path if isinstance(image, Target) else describe(image)
    _check(result, shell, f"reading the {role} {name}")
    return int(json.loads(result.stdout)["virtual-size"])


def _check(result: CommandResult, shell: NodeShell, what: str) -> None:
    if result.rc == 0:
        return
    how = "killed by a signal" if result.rc < 0 else f"exit code {result.rc}"
    found = HTTP_ERROR.search(result.stderr)
    if found is None:
        raise DiskCopyError(f"{what} failed on node {shell.address.label} ({how}): {_last_line(result.stderr)}")
    status = int(found.group(1))
    # `what` names the URL, which never holds the cookie (it reaches qemu-img through a secret object).
    raise DiskCopyHttpError(f"{what} failed on node {shell.address.label} ({how}): the vCenter answered "
                            f"HTTP {status}; {datastore_http_fix(status)}", status)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[-1] if lines else "no message"
    return line if len(line) <= 400 else line[:400] + "…"


def _reading(source: Source, cookie: str | None) -> tuple[Source, bytes | None]:
    """The source as qemu-img opens it, and what its stdin carries: an HTTPS source's session cookie."""
    if not isinstance(source, HttpsFile) or cookie is None:
        return source, None
    return replace(source, cookie_on_stdin=True), cookie.encode()
