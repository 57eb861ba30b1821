"""Ctrl-C at any moment, even while the command is still loading: exit 130 and one line, no traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrate.errors import ExitCode

MIGRATE = Path(sys.executable).parent / "migrate"

# Raises KeyboardInterrupt where Ctrl-C most often lands: while SQLAlchemy is being imported.
INTERRUPT_WHILE_LOADING = """
import builtins, sys
real_import = builtins.__import__
def interrupting_import(name, *args, **kwargs):
    if name == "sqlalchemy":
        raise KeyboardInterrupt
    return real_import(name, *args, **kwargs)
builtins.__import__ = interrupting_import
sys.argv = ["migrate", "--help"]
from migrate.cli.entry import run
run()
"""


def test_ctrl_c_while_the_command_loads_is_one_line_and_exit_130():
    result = subprocess.run([sys.executable, "-c", INTERRUPT_WHILE_LOADING], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr, result.stdout) == (ExitCode.INTERRUPTED, "migrate: interrupted\n", "")


@pytest.mark.parametrize("after", [0.2, 3.0], ids=["while-loading", "while-connecting"])
def test_ctrl_c_on_the_installed_command_is_one_line_and_exit_130(silent_server, after):
    url = f"postgresql+psycopg://u@127.0.0.1:{silent_server}/db?connect_timeout=30"
    process = subprocess.Popen([str(MIGRATE), "--db", url, "inventory", "list"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr, stdout) == (ExitCode.INTERRUPTED, "migrate: interrupted\n", "")
