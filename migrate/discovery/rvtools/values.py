"""Turning RVTools cell values into model values.

Cell types drift between RVTools versions and between the xlsx and CSV variants (a `Disk Key` is a
string in 4.7 and an int in 4.4; every CSV value is a string, perhaps with a decimal comma), so each
parser accepts every spelling seen and raises `BadValue` with what it expected otherwise.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

MIB = 1024 * 1024


class BadValue(ValueError):
    """A cell holds something its column cannot mean; `expected` says what would be right."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


@dataclass(frozen=True)
class Range:
    """The values a column can hold; anything outside comes from a damaged or hand-edited export."""

    low: float
    high: float
    what: str

    def check(self, value: float | None) -> Any:
        if value is not None and not self.low <= value <= self.high:
            raise BadValue(f"{self.what} from {self.low:,} to {self.high:,}")
        return value


# vSphere 8's configuration maximums: 768 vCPUs and 24 TiB of memory per VM, 62 TB per virtual disk (64 TiB for
# a physical-mode RDM). RVTools writes 0 where a VM's configuration cannot be read (an orphaned VM).
VCPUS = Range(0, 768, "a vCPU count")
MEMORY_MIB = Range(0, 24 * 1024**2, "a memory size in MiB")
DISK_MIB = Range(0, 64 * 1024**2, "a disk size in MiB")
# Any other size: never negative, and in bytes within the database's 64-bit integers.
SIZE_MIB = Range(0, 2**63 // MIB - 1, "a size in MiB")

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def text(value: Any) -> str | None:
    """A cell as text; empty cells and whitespace-only text are unknown."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat()
    result = str(value)
    return result if result.strip() else None


def boolean(value: Any) -> bool | None:
    """`True`/`False` strings (most cells), real Excel booleans, raw VMX `TRUE`/`true`, and `Yes`/`No`."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise BadValue("True or False")
    word = str(value).strip().lower()
    if not word:
        return None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise BadValue("True or False")


def number(value: Any) -> float | None:
    """A number; text may use a decimal comma (CSV exports from European locales)."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise BadValue("a number")
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise BadValue("a number")
        return float(value)
    raw = str(value).strip().rstrip("%").strip()
    if not raw:
        return None
    if "," in raw and "." not in raw and raw.count(",") == 1:
        raw = raw.replace(",", ".")
    try:
        result = float(raw)
    except ValueError:
        raise BadValue("a number") from None
    if not math.isfinite(result):  # `nan` and `inf` parse, and no cell means them.
        raise BadValue("a number")
    return result


def integer(value: Any) -> int | None:
    """A whole number; `2048.0` and `2048,0` count, `12.5` does not."""
    try:
        result = number(value)
    except BadValue:
        raise BadValue("a whole number") from None
    if result is None:
        return None
    if not result.is_integer():
        raise BadValue("a whole number")
    return int(result)


def mib_to_bytes(value: Any, within: Range = SIZE_MIB) -> int | None:
    """A size in MiB (`MB` and `MiB` headers both mean binary MiB) as bytes."""
    result = within.check(number(value))
    return None if result is None else round(result * MIB)


# Epoch 0 in the RVTools machine's local time: how RVTools writes "no date known".
_EPOCH_DAYS = {date(1970, 1, 1), date(1969, 12, 31)}
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%m/%d/%Y %I:%M:%S %p",  # US locale, the one 3.x files show
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y %H:%M:%S",  # pyrvtools' reading of 3.x files
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
)


def timestamp(value: Any) -> str | None:
    """An Excel date or a locale date string as ISO-8601 without zone (RVTools writes its machine's local time)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        raw = str(value).strip()
        if not raw:
            return None
        moment = _parse_date_text(raw)
    if moment.date() in _EPOCH_DAYS:
        return None
    return moment.replace(microsecond=0).isoformat()


def _parse_date_text(raw: str) -> datetime:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, pattern)
        except ValueError:
            continue
    raise BadValue("a date such as 2024-01-31 13:45:00 or 1/31/2024 1:45:00 PM")


_ESCAPES = re.compile(r"%(2[fF]|5[cC]|25)")
_UNESCAPED = {"2f": "/", "5c": "\\", "25": "%"}


def unescape_name(name: str | None) -> str | None:
    """Undo vSphere's escaping of `/`, `\\` and `%` in inventory names (`%2f`, `%5c`, `%25`)."""
    if name is None:
        return None
    return _ESCAPES.sub(lambda m: _UNESCAPED[m.group(1).lower()], name)


def split_list(value: Any) -> list[str]:
    """RVTools joins several values in one cell with `, `."""
    raw = text(value)
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else []


def vmx_version(value: str | None) -> str | None:
    """RVTools' hardware version (`8`, `21`, `vmx-8`, `vmx-21`) as vSphere spells it: `vmx-08`, `vmx-21`.

    vSphere pads versions below 10 to two digits (`config.version` is `vmx-08`), so API discovery and an
    export of the same VM agree.
    """
    if value is None:
        return None
    number = value.strip().removeprefix("vmx-")
    return f"vmx-{int(number):02d}" if number.isdigit() else value
