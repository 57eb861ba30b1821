"""Read hand-edited YAML without YAML 1.1 surprises, keeping the line and column of every value.

PyYAML's SafeLoader follows YAML 1.1: `off` becomes False, `22:22` becomes 1342 (base 60), `0755`
becomes 493 (octal) and `1e3` may become a float. Mapping files hold bridge names, VLAN lists and
portgroup names typed by people, so only unambiguous forms are resolved here: `true`/`false`,
`null`/`~`, plain decimal integers without a leading zero, and decimals with a dot. Everything
else stays the string that was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from migrate.errors import MappingFileError

KeyPath = tuple[Any, ...]


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader whose implicit typing is a strict subset of the YAML 1.2 core schema."""


Yaml12Loader.yaml_implicit_resolvers = {}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
# No leading zero: `0755` stays a string instead of becoming 755 (1.2) or 493 (1.1).
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
# A dot is required: `1e3` stays a string.
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"), list("-+0123456789.")
)


@dataclass
class YamlDocument:
    """Loaded data plus the (line, column) of every key path, both 1-based, for error messages."""

    path: Path
    data: Any
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def where(self, key_path: KeyPath) -> str:
        """`file:line:column` of the value at `key_path`, or of its nearest known parent."""
        for end in range(len(key_path), -1, -1):
            if key_path[:end] in self.marks:
                line, column = self.marks[key_path[:end]]
                return f"{self.path}:{line}:{column}"
        return f"{self.path}:1:1"

    def error(self, key_path: KeyPath, problem: str) -> MappingFileError:
        """A MappingFileError naming the place of `key_path`; `problem` should say the fix."""
        dotted = ".".join(str(k) for k in key_path)
        return MappingFileError(f"{self.where(key_path)}: {dotted}: {problem}" if dotted else f"{self.where(key_path)}: {problem}")


def load_yaml_file(path: str | Path) -> YamlDocument:
    """Read one YAML document; syntax errors and duplicate keys raise MappingFileError naming file:line:column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingFileError(f"{path}: cannot be read ({exc.strerror}): check the path") from None
    return load_yaml_text(text, path)


def load_yaml_text(text: str, path: str | Path = "<string>") -> YamlDocument:
    """Like `load_yaml_file` for text already in memory; `path` is only used in messages."""
    path = Path(path)
    loader = Yaml12Loader(text)
    try:
        node = loader.get_single_node()
        document = YamlDocument(path, None)
        if node is not None:
            _collect_marks(node, (), document)
            document.data = loader.construct_document(node)
        return document
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else f"{path}:1:1"
        raise MappingFileError(f"{where}: not valid YAML ({exc.problem}): fix the syntax there") from None
    finally:
        loader.dispose()


def _collect_marks(node: yaml.Node, key_path: KeyPath, document: YamlDocument) -> None:
    document.marks[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_marks(item, (*key_path, index), document)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise MappingFileError(f"{document.path}:{line}:{column}: key {key!r} appears twice: keep one of them")
            seen.add(key)
            _collect_marks(value_node, (*key_path, key), document)
