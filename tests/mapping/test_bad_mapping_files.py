"""Hostile or broken mapping files: one line naming the file, the place and the limit or fix; nothing changed."""

from __future__ import annotations

import os

import pytest

from migrate.errors import ExitCode, MappingFileError
from migrate.mapping import yaml12
from migrate.mapping.yaml12 import load_yaml_file, load_yaml_text
from tests.factories import make_vm
from tests.support.cli import run_cli
from tests.support.unchanged import database_rows, folder_files
from tests.test_cli import seed

NINE = ", ".join(["*a{}"] * 9)
# Each level repeats the one before nine times: 9**9 (387 million) values once written out.
ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{level}: &a{level} [{NINE.format(*[level - 1] * 9)}]\n" for level in range(1, 10))


def _refused(text: str) -> str:
    with pytest.raises(MappingFileError) as raised:
        load_yaml_text(text, "maps/vc1.yaml")
    assert raised.value.exit_code == ExitCode.USAGE
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_a_yaml_alias_bomb_is_refused_naming_the_limit():
    assert _refused(ALIAS_BOMB).endswith(
        "more than 250,000 values, counting each alias written out: a mapping file needs far less; "
        "write the entries out plainly, or split the file")


def test_too_many_aliases_are_refused_naming_the_limit():
    text = "x: &x 1\nl: [" + ", ".join(["*x"] * (yaml12.MAX_ALIASES + 1)) + "]\n"
    assert "more than 1,000 aliases (*name)" in _refused(text)


def test_deep_nesting_is_refused_at_its_place_instead_of_a_recursion_error():
    assert _refused("a: " + "[" * 5000 + "]" * 5000 + "\n").startswith(
        "maps/vc1.yaml:1:67: nested more than 64 levels deep:")


def test_aliases_that_nest_deeper_than_the_limit_are_refused():
    levels = "".join(f"l{n}: &l{n} [*l{n - 1}]\n" for n in range(1, 70))
    assert "its aliases nest values more than 64 levels deep" in _refused("l0: &l0 [x]\n" + levels)


def test_an_alias_inside_its_own_anchor_is_refused():
    assert _refused("a: &a [*a]\n").startswith("maps/vc1.yaml:1:4: an alias refers to a value that contains it")


def test_an_alias_of_a_whole_entry_still_works():
    text = "networks:\n  LAN: &lan {bridge: vmbr0}\n  LAN2: *lan\n"
    assert load_yaml_text(text).data["networks"]["LAN2"] == {"bridge": "vmbr0"}


def test_a_key_that_is_not_text_is_refused():
    assert _refused("? [a, b]\n: 1\n") == "maps/vc1.yaml:1:3: a key must be plain text: write it as a name"


def test_a_control_character_is_refused_at_its_place():
    assert _refused("a: 1\nb: x\x01\n") == "maps/vc1.yaml:2:5: control character 0x01 is not allowed in YAML: delete it"


def test_a_mapping_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "vc1.yaml"
    path.write_text("# padding\n" * (yaml12.MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(MappingFileError, match=r"larger than the limit of 1 MiB for a mapping file"):
        load_yaml_file(path)


def test_a_fifo_is_refused_instead_of_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "vc1.yaml"
    os.mkfifo(fifo)
    with pytest.raises(MappingFileError, match=r"not a regular file"):
        load_yaml_file(fifo)


def _map_dir(tmp_path, text: str | bytes):
    maps = tmp_path / "maps"
    maps.mkdir()
    path = maps / "vc.example.com.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return maps


def _assert_refused_changing_nothing(db_url, tmp_path, maps, *command) -> str:
    rows, files = database_rows(db_url), folder_files(maps)
    result = run_cli(*command, "--dir", str(maps), db_url=db_url)
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert database_rows(db_url) == rows and folder_files(maps) == files
    return result.stderr


def test_mapping_check_of_an_alias_bomb_is_one_line_and_changes_nothing(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    maps = _map_dir(tmp_path, ALIAS_BOMB)
    stderr = _assert_refused_changing_nothing(db_url, tmp_path, maps, "mapping", "check")
    assert stderr.startswith(f"migrate: error: {maps / 'vc.example.com.yaml'}:")
    assert "more than 250,000 values" in stderr


def test_a_cp1252_mapping_file_says_to_save_it_as_utf8(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    maps = _map_dir(tmp_path, "networks:\n  Büro: {bridge: vmbr0}\n".encode("cp1252"))
    stderr = _assert_refused_changing_nothing(db_url, tmp_path, maps, "mapping", "check")
    assert stderr == (
        f"migrate: error: {maps / 'vc.example.com.yaml'}:2:4: byte 0xfc is not UTF-8 (the file was probably saved "
        "in a Windows encoding such as cp1252): save it as UTF-8 and run again\n")


INJECTED_STORAGE = "vms:\n  app-01:\n    storage: ceph-vm,import-from=/etc/shadow\n"


def test_a_per_vm_storage_override_must_be_a_storage_id(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    maps = _map_dir(tmp_path, INJECTED_STORAGE)
    rows = database_rows(db_url)
    check = run_cli("mapping", "check", "--dir", str(maps), db_url=db_url)
    assert check.exit_code == ExitCode.ERROR
    assert (f"invalid: {maps / 'vc.example.com.yaml'}:3:14: vms.app-01.storage: 'ceph-vm,import-from=/etc/shadow' "
            "is not a Proxmox storage id; write one like local-lvm") in check.stdout
    assert database_rows(db_url) == rows


def test_map_show_refuses_a_per_vm_storage_override_that_is_not_a_storage_id(db_url, tmp_path):
    seed(db_url, make_vm("app-01"))
    maps = _map_dir(tmp_path, INJECTED_STORAGE)
    stderr = _assert_refused_changing_nothing(db_url, tmp_path, maps, "map", "show", "app-01")
    assert "import-from" in stderr and "is not a Proxmox storage id" in stderr
