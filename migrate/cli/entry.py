"""The `migrate` command's entry point: imports nothing heavy, so that Ctrl-C while the rest loads is one line.

Loading the CLI takes about a second (SQLAlchemy, openpyxl, pyVmomi, the commands); a KeyboardInterrupt raised
meanwhile happens before `main()` can catch it, and Python would print a traceback.
"""

from __future__ import annotations

import sys

from migrate.errors import ExitCode


def run() -> None:
    """Run `migrate` with the process's arguments and exit with its exit code."""
    try:
        from migrate.cli.main import main

        code = main()
    except KeyboardInterrupt:
        print("migrate: interrupted", file=sys.stderr)
        code = ExitCode.INTERRUPTED
    sys.exit(int(code))
