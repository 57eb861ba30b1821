"""Every command of the target/wave/plan stage has help and is described in docs/planning.md."""

from pathlib import Path

import pytest

from tests.support.cli import run_cli

DOC = (Path(__file__).resolve().parents[1] / "docs" / "planning.md").read_text()
COMMANDS = [("target", "add"), ("target", "set"), ("target", "list"), ("target", "discover"), ("target", "check"), ("wave", "create"),
            ("wave", "list"), ("plan",), ("runbook",)]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_command_has_help_with_an_example_and_is_documented(command, capsys):
    result = run_cli(*command, "--help")  # click writes help to the process's stdout
    assert result.exit_code == 0 and "Example:" in capsys.readouterr().out
    assert f"migrate {' '.join(command)}" in DOC
