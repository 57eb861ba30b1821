"""How every table of the readiness workbook looks: human headers, widths fitted to the content, long text
wrapped, number formats per column kind, coloured verdicts, and a print setup (landscape, one page wide, the
header row repeated on every page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GIB_FORMAT = "0.0"  # GiB with one decimal
DATE_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60  # characters; longer text wraps inside the column
MIN_WIDTH = 8
FILLS = {"Not ready": "#F4CCCC", "Ready with conditions": "#FFF2CC", "Unknown": "#D9D9D9", "Ready": "#D9EAD3",
         "blocker": "#F4CCCC", "warning": "#FFF2CC", "unknown": "#D9D9D9"}


@dataclass(frozen=True)
class Column:
    """A table column: its header as people read it and its kind (`text`, `int`, `gib`, `date`, or `lines`: text
    of several lines, always wrapped)."""

    header: str
    kind: str = "text"


class Formats:
    """The workbook's cell formats, made once per workbook (XlsxWriter requires it)."""

    def __init__(self, workbook: Any) -> None:
        self.kinds = {
            "text": workbook.add_format({"valign": "top"}),
            "wrap": workbook.add_format({"valign": "top", "text_wrap": True}),
            "lines": workbook.add_format({"valign": "top", "text_wrap": True}),
            "int": workbook.add_format({"valign": "top", "num_format": "0"}),
            "gib": workbook.add_format({"valign": "top", "num_format": GIB_FORMAT}),
            "date": workbook.add_format({"valign": "top", "num_format": DATE_FORMAT}),
        }
        self.fills = {word: workbook.add_format({"bg_color": color}) for word, color in FILLS.items()}
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.heading = workbook.add_format({"bold": True, "bottom": 1})
        self.label = workbook.add_format({"bold": True, "valign": "top"})


def write_table(sheet: Any, formats: Formats, name: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
                *, first_row: int = 0, coloured: str | None = None) -> int:
    """An Excel table (with filters) of `rows` under `columns` from `first_row`; returns the row after it.
    `coloured` names the column whose verdict or severity words get their fill."""
    for index, row in enumerate(rows, start=first_row + 1):
        sheet.write_row(index, 0, row)
    last_row = first_row + max(len(rows), 1)  # an Excel table needs one data row, even an empty one
    sheet.add_table(first_row, 0, last_row, len(columns) - 1,
                    {"name": name, "columns": [{"header": column.header} for column in columns]})
    if coloured is not None:
        index = [column.header for column in columns].index(coloured)
        for word, fill in formats.fills.items():
            sheet.conditional_format(first_row + 1, index, last_row, index,
                                     {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fill})
    return last_row + 1


def fit_columns(sheet: Any, formats: Formats, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
    """Each column as wide as its longest value (header included, filter button counted), at most MAX_WIDTH;
    text longer than that wraps. Formats go on the columns, so every cell of a column reads alike."""
    for index, column in enumerate(columns):
        longest = max([len(column.header) + 3, *(_shown_length(row[index]) for row in rows if index < len(row))])
        kind = "wrap" if column.kind == "text" and longest > MAX_WIDTH else column.kind
        sheet.set_column(index, index, max(MIN_WIDTH, min(longest + 2, MAX_WIDTH)), formats.kinds[kind])


def print_setup(sheet: Any, *, repeat_header: bool = True) -> None:
    """Landscape, one page wide (as many pages long as it takes), the header row on every page."""
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&L&A&RPage &P of &N")
    if repeat_header:
        sheet.repeat_rows(0)


def _shown_length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.1f}")
    return max((len(line) for line in str(value).splitlines()), default=0)
