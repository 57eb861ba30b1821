"""The README and docs stay true to the code: every command is documented, every inventory field explained."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click
import pytest

from migrate.cli.main import cli
from migrate.inventory import model

ROOT = Path(__file__).resolve().parents[1]


def all_commands(group: click.Group = cli, prefix: str = "migrate") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += all_commands(command, path)
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize("path, command", all_commands(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_command_has_help_with_an_example(path, command):
    assert command.help, f"{path} has no help"
    assert "Example:" in command.help, f"{path}'s help has no example"


@pytest.mark.parametrize("path, command", all_commands(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_commands_help_renders_its_example_as_written(path, command):
    with click.Context(command, info_name=path, max_content_width=110) as ctx:
        shown = command.get_help(ctx)
    assert "\\b" not in shown and "Example:\n" in shown  # a literal \b means click did not see its marker
    example = shown.split("Example:\n", 1)[1].split("\n\n", 1)[0]
    assert "migrate " in example and all(line.startswith("    ") for line in example.splitlines()), example


@pytest.mark.parametrize("path", [path for path, _ in all_commands()])
def test_every_command_is_in_the_readme(path):
    assert f"`{path}`" in (ROOT / "README.md").read_text()


def test_readme_shows_the_two_setup_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_exit_codes_match_the_exit_code_table():
    from migrate.errors import ExitCode

    readme = (ROOT / "README.md").read_text()
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", readme, flags=re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}


MODEL_CLASSES = [model.Vm, model.Disk, model.Nic, model.Controller, model.Device, model.Snapshot,
                 model.GuestPartition, model.IpAddress, model.Host, model.Cluster, model.ClusterRule,
                 model.Datastore, model.Network, model.PortgroupVlan]


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_every_inventory_field_is_documented(cls):
    text = (ROOT / "docs" / "inventory.md").read_text()
    missing = [f.name for f in dataclasses.fields(cls) if f"`{f.name}`" not in text]
    assert missing == [], f"docs/inventory.md lacks {cls.__name__} fields {missing}"
