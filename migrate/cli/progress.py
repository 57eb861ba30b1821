"""What a run shows while it works, and the record it leaves: built on the engine's log records.

The engine logs every transition (wave, VM and step started, done, failed, retried) with an `event` in the
record. A run always appends them to its log file, with UTC timestamps; on a terminal it draws an overall bar
(VMs, GiB read, ETA) and a line per VM at work, and each finished VM leaves a line; when stderr is not a terminal
(a log, CI, cron) it writes one timestamped line per transition instead of bars.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from sqlalchemy.engine import make_url
from tqdm import tqdm

from migrate.db.session import resolve_db_url
from migrate.files import cannot_write, require_writable
from migrate.words import size_text

EXECUTION_LOGGER = "migrate.execution"


class UtcFormatter(logging.Formatter):
    """2026-12-05T14:03:07Z WARNING db-01: copy_disk scsi0 failed: ..."""

    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__("%(asctime)sZ %(levelname)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S")


def default_log_path(db_url: str | None, wave: int) -> Path:
    """Beside a SQLite database file, else in the working directory: migrate-wave-N.log."""
    url = make_url(resolve_db_url(db_url))
    folder = Path(url.database).resolve().parent if url.get_backend_name() == "sqlite" and url.database else Path.cwd()
    return folder / f"migrate-wave-{wave}.log"


@contextmanager
def run_display(stderr: IO[str], log_path: Path, *, terminal: bool, quiet: bool) -> Iterator[WaveBars | None]:
    """Attach the log file and the stderr display for one run; yields the bars on a terminal (for the copy's
    fractions), else None. Everything is detached afterwards."""
    logger = logging.getLogger(EXECUTION_LOGGER)
    try:
        require_writable(log_path)  # refused at once, before anything runs
        # Opened at its first record: a run refused before it starts (a wave that does not exist) leaves no file.
        file_handler = logging.FileHandler(log_path, encoding="utf-8", delay=True)
    except OSError as exc:
        from migrate.errors import UsageError  # noqa: PLC0415  (only on this error path)
        raise UsageError(cannot_write(log_path, exc)) from None
    file_handler.setFormatter(UtcFormatter())
    handlers: list[logging.Handler] = [file_handler]
    bars = None
    if not quiet and terminal:
        bars = WaveBars(stderr)
        handlers.append(bars)
    elif not quiet:
        lines = logging.StreamHandler(stderr)
        lines.setFormatter(UtcFormatter())
        handlers.append(lines)
    previous = logger.level
    logger.setLevel(logging.INFO)
    for handler in handlers:
        logger.addHandler(handler)
    logger.propagate = False  # the handlers here say it all; Python's last-resort handler would repeat warnings
    try:
        yield bars
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(previous)
        logger.propagate = True


class WaveBars(logging.Handler):
    """On a terminal: the wave's bar (VMs done of all, GiB read, ETA) and one bar per VM at work, showing its step;
    a VM that finishes leaves a line (done or failed, and how long it took)."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.wave: tqdm | None = None
        self.vms: dict[str, tqdm] = {}
        self.disk_bytes: dict[tuple[str, str], int] = {}  # (VM, step label) -> bytes of the disk it reads
        self.read: dict[tuple[str, str], float] = {}
        self.total_bytes = 0

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "event", None)
        vm = getattr(record, "vm", None)
        if event == "wave_started":
            self.total_bytes = int(getattr(record, "bytes", 0) or 0)
            self.wave = tqdm(total=int(getattr(record, "vms", 0)), unit="VM", file=self.stream, position=0,
                             leave=True, dynamic_ncols=True,
                             bar_format="wave: {n_fmt}/{total_fmt} VMs |{bar}| {desc} [{elapsed}<{remaining}]")
            self._postfix()
        elif event == "vm_started" and vm:
            self.vms[vm] = tqdm(total=100, desc=f"  {vm}", unit="%", file=self.stream, leave=False,
                                dynamic_ncols=True, bar_format="{desc} {percentage:3.0f}%")
        elif event == "step_started" and vm in self.vms:
            step = getattr(record, "step", "")
            if getattr(record, "bytes", None):
                self.disk_bytes[(vm, step)] = int(record.bytes)
            self.vms[vm].set_description_str(f"  {vm}: {step}", refresh=False)
            self.vms[vm].n = 0
            self.vms[vm].refresh()
        elif event in ("vm_done", "vm_failed") and vm:
            self._finish(vm, record)
        elif event in ("step_failed", "step_retry"):
            self._write(self.format_line(record))

    def fraction(self, vm: str, step: str, fraction: float) -> None:
        """The progress callback of the run: a step's share done, e.g. of a disk being copied."""
        bar = self.vms.get(vm)
        if bar is not None:
            bar.n = round(fraction * 100)
            bar.refresh()
        if (vm, step) in self.disk_bytes:
            self.read[(vm, step)] = fraction * self.disk_bytes[(vm, step)]
            self._postfix()

    def _finish(self, vm: str, record: logging.LogRecord) -> None:
        bar = self.vms.pop(vm, None)
        if bar is not None:
            bar.close()
        if self.wave is not None:
            self.wave.update(1)
        self._write(self.format_line(record))

    def _postfix(self) -> None:
        if self.wave is not None:
            read = sum(self.read.values())
            self.wave.set_description_str(f"{size_text(read)} of {size_text(self.total_bytes)} read", refresh=True)

    def _write(self, line: str) -> None:
        tqdm.write(line, file=self.stream)

    def format_line(self, record: logging.LogRecord) -> str:
        return record.getMessage()

    def close(self) -> None:
        for bar in self.vms.values():
            bar.close()
        if self.wave is not None:
            self.wave.close()
        super().close()
