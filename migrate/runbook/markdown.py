"""Inventory text placed into Markdown so that it reads exactly as in vCenter: a VM named ``db `01` *x*`` must not
render as code or emphasis, nor a `|` end a table cell early."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# What starts inline Markdown: code, emphasis, HTML, entities, strike-through; an underscore only where it can
# (not inside a word: `rhel9_64Guest` stays as it is); a bracket only where it would close a link (`](`, `][`, `]:`),
# since the runbook defines no link references (`[ds1] web.vmdk` stays as it is).
_INLINE = re.compile(r"([\\`*<>~&]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|\](?=[(\[:]))")


def inline(value: object) -> str:
    """Text that stays on one Markdown line (not escaped: for code spans and figures)."""
    return " ".join(_CONTROL.sub("", "" if value is None else str(value)).split())


def text(value: object) -> str:
    """Text on one line that renders literally: every character that would start inline Markdown is escaped."""
    return _INLINE.sub(r"\\\1", inline(value))


def markdown_cell(value: object) -> str:
    """Text that stays inside one Markdown table cell and renders literally: `|` escaped, line breaks as <br>,
    controls dropped."""
    lines = re.split(r"\r\n|\n|\r", _CONTROL.sub("", "" if value is None else str(value)))
    return "<br>".join(_INLINE.sub(r"\\\1", line).replace("|", "\\|") for line in lines)


def code_span(command: object) -> str:
    """A command as a Markdown code span that shows it exactly, whatever backticks the (shell-quoted) names hold."""
    shown = inline(command)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", shown)), default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"
