"""Checks shared by the estate file's readers: each failure is an InputFileError naming the place and the fix."""

from __future__ import annotations

import dataclasses
from typing import Any

from migrate.errors import InputFileError


def build(cls: type, raw: Any, what: str) -> Any:
    """`cls(**raw)` for a flat mapping, naming the unknown or missing key instead of a TypeError."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    required = {n for n, f in fields.items()
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    label = f"{what} {raw.get('name')}" if isinstance(raw, dict) and raw.get("name") else what
    return cls(**mapping(raw, label, set(fields), required=required))


def mapping(raw: Any, what: str, known: set[str] | None, required: set[str] = frozenset()) -> dict:
    """`raw` if it is a mapping with only `known` keys (None: any) and every `required` one."""
    if not isinstance(raw, dict):
        raise InputFileError(f"{what} must be a mapping of keys to values, not {type(raw).__name__}")
    if known is not None:
        unknown = sorted(str(k) for k in raw if k not in known)
        if unknown:
            raise InputFileError(f"{what}: unknown key {unknown[0]!r}; known keys: {', '.join(sorted(known))}")
    missing = sorted(required - set(raw))
    if missing:
        raise InputFileError(f"{what}: missing key {missing[0]!r}")
    return raw


def as_list(raw: Any, what: str) -> list:
    """`raw` if it is a list."""
    if not isinstance(raw, list):
        raise InputFileError(f"{what}: expected a list, got {type(raw).__name__}")
    return raw


def check_unique(names: list[str], what: str) -> None:
    """Refuse the first name that appears twice."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputFileError(f"{what} {name!r} appears twice: names must be unique")
        seen.add(name)


def one_of(value: Any, allowed: tuple[str, ...], what: str) -> str:
    """`value` if it is one of `allowed`."""
    if value not in allowed:
        raise InputFileError(f"{what} is {value!r}: use one of {', '.join(allowed)}")
    return value
