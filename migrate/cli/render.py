"""Rendering rows as a table, CSV or JSON on stdout."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from typing import IO, Any

import click

from migrate.reports.excel import excel_safe

FORMATS = ("table", "csv", "json")
format_option = click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output format: an aligned table for people, CSV for spreadsheets, JSON for scripts.",
)

# Control characters in names typed by vCenter users must not drive the terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(value: Any) -> str:
    if value is None:
        return ""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def table(stream: IO[str], headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[printable(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    stream.write(line + "\n")
    for row in cells:
        stream.write("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() + "\n")


def csv_rows(stream: IO[str], headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else excel_safe(v) for v in row])


def json_document(stream: IO[str], document: Any) -> None:
    json.dump(document, stream, indent=2, ensure_ascii=False, default=str)
    stream.write("\n")


def rows(stream: IO[str], output_format: str, headers: Sequence[str], data: Sequence[Sequence[Any]]) -> None:
    """`data` as a table, CSV, or JSON objects keyed by the headers."""
    if output_format == "json":
        json_document(stream, [dict(zip(headers, row)) for row in data])
    elif output_format == "csv":
        csv_rows(stream, headers, data)
    else:
        table(stream, headers, data)
