"""Running the `migrate` command in-process with its own streams and environment."""

from __future__ import annotations

import io
from dataclasses import dataclass

from migrate.cli.context import AppContext
from migrate.cli.main import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, db_url: str | None = None, env: dict[str, str] | None = None) -> Result:
    stdout, stderr = io.StringIO(), io.StringIO()
    app = AppContext(env=env or {}, stdin=io.StringIO(), stdout=stdout, stderr=stderr)
    argv = (["--db", db_url] if db_url else []) + list(args)
    code = main(argv, app=app)
    return Result(int(code), stdout.getvalue(), stderr.getvalue())
