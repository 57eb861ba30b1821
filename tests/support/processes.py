"""Finding the node's sshd session that runs a given qemu-img, to cut it the way a dropped network would."""

from __future__ import annotations

import glob
from collections.abc import Callable


def sshd_session_running(listener: int, matches: Callable[[list[bytes]], bool]) -> int:
    """The sshd child (under the listener `listener`) whose command line a running process `matches`."""
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(path, "rb") as f:
                words = f.read().split(b"\0")
        except OSError:
            continue
        if matches(words):
            pid = int(path.split("/")[2])
            while (parent := parent_of(pid)) not in (listener, 0, 1):
                pid = parent
            if parent == listener:
                return pid
    raise LookupError("no matching process runs under the node's sshd")


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])
