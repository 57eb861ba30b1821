"""The one object every command receives: settings, the database, streams and progress bars.

Tests replace parts of it (streams, environment) instead of patching globals.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Iterator

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from migrate.db.session import make_engine, require_current_schema, resolve_db_url, session_factory


@dataclass
class AppContext:
    db_url: str | None = None
    debug: bool = False
    quiet: bool = False
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(resolve_db_url(self.db_url))

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on a database at the current schema revision."""
        require_current_schema(self.engine)
        with self.sessions() as session:
            yield session

    def say(self, message: str) -> None:
        """Talk to the consultant on stderr (never mixed into the data on stdout)."""
        if not self.quiet:
            print(message, file=self.stderr)

    def warn(self, message: str) -> None:
        """One line on stderr about input that was read differently than asked; shown even with --quiet."""
        print(f"migrate: warning: {message}", file=self.stderr)

    def progress(self, description: str, total: int | None = None, unit: str = "it") -> tqdm:
        """A progress bar on stderr; off with --quiet or when stderr is not a terminal."""
        disabled = self.quiet or not _isatty(self.stderr)
        return tqdm(total=total, desc=description, unit=unit, file=self.stderr, disable=disabled, leave=False)

    @property
    def stdout_terminal(self) -> bool:
        """Whether stdout is a terminal (a screen to clear), rather than a file or a pipe."""
        return _isatty(self.stdout)

    @property
    def terminal(self) -> bool:
        """Whether stderr is a terminal (bars), rather than a file or a pipe (timestamped lines)."""
        return _isatty(self.stderr)

    @property
    def interactive(self) -> bool:
        """Whether a prompt can be answered: stdin is a terminal."""
        return _isatty(self.stdin)

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# Hands each command the AppContext.
pass_app = click.make_pass_decorator(AppContext)
