"""The node's processes: the sshd session that runs a given qemu-img (to cut it the way a dropped network would),
and every command line sampled while a copy runs (to show no secret is on one)."""

from __future__ import annotations

import glob
import threading
import time
from collections.abc import Callable, Iterator


def command_lines() -> Iterator[tuple[int, bytes]]:
    """Every running process's PID and raw command line (words ended by NUL); one that exits meanwhile is skipped."""
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(path, "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        yield int(path.split("/")[2]), cmdline


def sshd_session_running(listener: int, matches: Callable[[list[bytes]], bool]) -> int:
    """The sshd child (under the listener `listener`) whose command line a running process `matches`."""
    for pid, cmdline in command_lines():
        if matches(cmdline.split(b"\0")):
            while (parent := parent_of(pid)) not in (listener, 0, 1):
                pid = parent
            if parent == listener:
                return pid
    raise LookupError("no matching process runs under the node's sshd")


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


class CmdlineSampler:
    """Reads every process's command line every few milliseconds while a copy runs."""

    def __init__(self, needle: str) -> None:
        self.needle = needle.encode()
        self.qemu_img_seen: set[int] = set()
        self.hits: list[bytes] = []
        self.cmdlines: set[bytes] = set()  # every distinct command line seen, to search for secrets known later
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid, cmdline in command_lines():
                if cmdline.startswith(b"qemu-img\0"):
                    self.qemu_img_seen.add(pid)
                self.cmdlines.add(cmdline)
                if self.needle in cmdline:
                    self.hits.append(cmdline)
            time.sleep(0.005)
