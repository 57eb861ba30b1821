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
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: the directory {path.parent} does not exist")
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    try:
        yield Path(scratch)
        # mkstemp makes the file private (0600); a report is as readable as any file the user writes.
        os.chmod(scratch, 0o666 & ~_umask())
        os.replace(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
