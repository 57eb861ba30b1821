"""Writing output files so that a crash or a bad input never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from migrate.errors import UsageError


@contextmanager
def replace_when_done(path: str | Path) -> Iterator[Path]:
    """Yield a scratch path beside `path`; it replaces `path` only if the block finishes without error."""
    path = Path(path)
    scratch = _scratch_beside(path)
    try:
        yield Path(scratch)
        # mkstemp makes the file private (0600); a report is as readable as any file the user writes.
        os.chmod(scratch, 0o666 & ~_umask())
        try:
            os.replace(scratch, path)
        except OSError as exc:  # `path` is a folder, or on another file system.
            raise UsageError(cannot_write(path, exc)) from None
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


def require_writable(path: str | Path) -> None:
    """Refuse `path` before any work is done if a file cannot be written there, as `replace_when_done` would.

    Tried with a real scratch file: permission bits do not tell (root ignores them, a read-only mount does not).
    """
    os.unlink(_scratch_beside(Path(path)))


def cannot_write(path: Path, exc: OSError) -> str:
    """The one-line message for a file that cannot be written."""
    return f"cannot write {path} ({exc.strerror}): choose a writable directory, or fix the permissions of {path.parent}"


def _scratch_beside(path: Path) -> str:
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: the directory {path.parent} does not exist")
    try:
        handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise UsageError(cannot_write(path, exc)) from None
    os.close(handle)
    return scratch


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
