"""Reading typed values out of the plain trees the SOAP reader produces (leaves are strings)."""

from __future__ import annotations

from typing import Any


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def integer(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def boolean(value: Any) -> bool | None:
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def dig(value: Any, *path: str) -> Any:
    """value[path[0]][path[1]]..., or None where a step is missing."""
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def kind_of(value: Any) -> str:
    """The xsi:type of a data object ('' when untyped)."""
    return value.get("_type") or "" if isinstance(value, dict) else ""
