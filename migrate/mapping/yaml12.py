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
from yaml.reader import ReaderError

from migrate.errors import MappingFileError

KeyPath = tuple[Any, ...]

# Limits on what one mapping file may make the loader do; each says which was hit. `mapping init` writes about
# 60 bytes per portgroup and datastore (2,000 portgroups and 500 datastores are 150 KiB), nested 5 levels deep at
# most (vms.<vm>.networks.<portgroup>.bridge); 1 MiB also leaves room for an override of every VM of an
# 8,000-VM estate. PyYAML parses in pure Python, about 6 s and 130 MB per MiB measured here, which is what bounds
# the size. Without limits an alias chain of 9 levels took 14.7 GB, 5,000 nested `[` ended in a RecursionError,
# and a 50 MB file took 91 s and 3.4 GB.
MAX_FILE_BYTES = 1024**2
MAX_DEPTH = 64
MAX_ALIASES = 1_000
# Values as if every alias were written out (what the checks and the mapper walk): about what 1 MiB can hold.
MAX_VALUES = 250_000
_LIMIT_FIX = "a mapping file needs far less; write the entries out plainly, or split the file"


class _LimitHit(yaml.MarkedYAMLError):
    """A limit of this loader was hit at `problem_mark`."""

    def __init__(self, limit: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem=limit, problem_mark=mark)
        self.limit = limit


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader whose implicit typing is a strict subset of the YAML 1.2 core schema."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent, index):
        """Compose as SafeLoader does, counting aliases and nesting first: PyYAML's composer recurses once per
        level (a deep file ends in RecursionError) and shares aliased nodes, which a walk then expands."""
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _LimitHit(f"more than {MAX_ALIASES:,} aliases (*name)", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitHit(f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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
    """Read one YAML document; syntax errors and duplicate keys raise MappingFileError naming file:line:column.

    A file that is not UTF-8, not a regular file or larger than MAX_FILE_BYTES is refused before parsing.
    """
    path = Path(path)
    return load_yaml_text(_decode(path, _read_bounded(path)), path)


def _read_bounded(path: Path) -> bytes:
    # A FIFO would block the open, /dev/zero would never end.
    if path.exists() and not path.is_file():
        raise MappingFileError(f"{path}: not a regular file (a device, a pipe or a folder): name the mapping file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise MappingFileError(f"{path}: cannot be read ({exc.strerror}): check the path") from None
    if len(data) > MAX_FILE_BYTES:
        raise MappingFileError(
            f"{path}: larger than the limit of {MAX_FILE_BYTES // 1024**2} MiB for a mapping file: {_LIMIT_FIX}")
    return data


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise MappingFileError(
            f"{path}:{line}:{column}: byte 0x{data[exc.start]:02x} is not UTF-8 (the file was probably saved in a "
            "Windows encoding such as cp1252): save it as UTF-8 and run again"
        ) from None


def load_yaml_text(text: str, path: str | Path = "<string>") -> YamlDocument:
    """Like `load_yaml_file` for text already in memory; `path` is only used in messages."""
    path = Path(path)
    loader = None
    try:
        loader = Yaml12Loader(text)
        node = loader.get_single_node()
        document = YamlDocument(path, None)
        if node is not None:
            _check_expansion(node)
            _collect_marks(node, (), document)
            document.data = loader.construct_document(node)
        return document
    except _LimitHit as exc:
        raise MappingFileError(f"{_where(path, exc.problem_mark)}: {exc.limit}: {_LIMIT_FIX}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise MappingFileError(f"{_where(path, mark)}: not valid YAML ({exc.problem}): fix the syntax there") from None
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise MappingFileError(
            f"{path}:{line}:{column}: control character 0x{exc.character:02x} is not allowed in YAML: delete it"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def _where(path: Path, mark: yaml.Mark | None) -> str:
    return f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else f"{path}:1:1"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases, written out, would exceed MAX_VALUES or MAX_DEPTH, or contain themselves.

    Counted without expanding: each node's size and depth is computed once (aliased nodes are shared), by an
    explicit stack, so neither a bomb nor a deep chain of aliases can exhaust memory or the recursion limit.
    """
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = _size_of(node, sizes)
            continue
        if key in sizes:
            continue
        if key in open_nodes:  # Reached again before it was finished: it contains itself.
            raise _LimitHit("an alias refers to a value that contains it", node.start_mark)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _size_of(node: yaml.Node, sizes: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """(values, depth) of `node` with its aliases written out, from those of its children."""
    children = [sizes[id(child)] for child in _children(node)]
    values = 1 + sum(count for count, _ in children)
    depth = 1 + max((levels for _, levels in children), default=0)
    if values > MAX_VALUES:
        raise _LimitHit(f"more than {MAX_VALUES:,} values, counting each alias written out", node.start_mark)
    if depth > MAX_DEPTH:
        raise _LimitHit(f"its aliases nest values more than {MAX_DEPTH} levels deep", node.start_mark)
    return values, depth


def _collect_marks(node: yaml.Node, key_path: KeyPath, document: YamlDocument) -> None:
    document.marks[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_marks(item, (*key_path, index), document)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise MappingFileError(f"{document.path}:{line}:{column}: a key must be plain text: write it as a name")
            key = key_node.value
            if key in seen:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise MappingFileError(f"{document.path}:{line}:{column}: key {key!r} appears twice: keep one of them")
            seen.add(key)
            _collect_marks(value_node, (*key_path, key), document)
