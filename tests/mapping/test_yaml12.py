import pytest

from migrate.errors import ExitCode, MappingFileError
from migrate.mapping.yaml12 import load_yaml_text


@pytest.mark.parametrize("text", ["off", "on", "yes", "no", "22:22", "0755", "1e3", "0x1F", "2026-01-01", "1_000", "y", "N"])
def test_yaml_1_1_lookalikes_stay_strings(text):
    assert load_yaml_text(f"value: {text}\n").data == {"value": text}


@pytest.mark.parametrize(("text", "value"), [("true", True), ("false", False), ("12", 12), ("-3", -3), ("0", 0), ("1.5", 1.5), ("~", None), ("null", None)])
def test_unambiguous_scalars_are_typed(text, value):
    assert load_yaml_text(f"value: {text}\n").data == {"value": value}


def test_syntax_error_names_file_line_and_column():
    with pytest.raises(MappingFileError) as raised:
        load_yaml_text("networks:\n  a: [1, 2\n", "mappings/vc1.yaml")
    assert str(raised.value).startswith("mappings/vc1.yaml:3:1: not valid YAML")
    assert raised.value.exit_code is ExitCode.USAGE


def test_duplicate_key_is_an_error_at_the_second_key():
    with pytest.raises(MappingFileError, match=r"^m.yaml:3:3: key 'a' appears twice"):
        load_yaml_text("n:\n  a: 1\n  a: 2\n", "m.yaml")


def test_marks_give_the_place_of_nested_values():
    document = load_yaml_text("networks:\n  LAN: {bridge: vmbr0, vlan: 20}\n", "m.yaml")
    assert document.where(("networks", "LAN", "vlan")) == "m.yaml:2:30"
