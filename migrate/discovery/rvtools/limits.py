"""How much an export may unpack to, and what reading one may meet when a file is damaged or hostile.

A zip member's header states its size, and a hostile one lies: the caps count the bytes actually inflated.
vCenter 8 manages at most 45,000 registered VMs; a real export's widest sheet (vInfo) takes about 3 KB of XML or
CSV per VM, so the largest sheet of the largest estate is about 130 MB. The caps leave about four times that.
"""

from __future__ import annotations

import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

# One sheet, CSV file or workbook inside a zip. A CSV file is decoded whole, so this also bounds its memory (~3x).
MAX_MEMBER_BYTES = 512 * 1024**2
# Everything unpacked from one zip into the scratch folder (19 tabs are read, most far smaller than vInfo).
MAX_UNPACKED_BYTES = 2 * 1024**3
# openpyxl keeps a workbook's shared strings whole in memory, at about three times their XML size; an export's
# shared strings are its distinct names and values, a fraction of its sheets.
MAX_SHARED_STRINGS_BYTES = 256 * 1024**2
# Unpacking copies this much at a time, so memory stays flat whatever a member's size.
COPY_CHUNK_BYTES = 1024**2

# What reading a damaged or hostile zip or sheet raises: a bad CRC or a broken zip (BadZipFile), a corrupt or
# truncated deflate stream (zlib.error, EOFError), malformed XML (ParseError) and XML entities (defusedxml).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, ParseError, DefusedXmlException)


def damage(exc: BaseException) -> str:
    """What is wrong, in words, for the middle of a one-line message."""
    if isinstance(exc, DefusedXmlException):
        return "its XML declares entities, which RVTools never writes"
    if isinstance(exc, ParseError):
        return f"malformed XML: {exc}"
    if isinstance(exc, (zlib.error, EOFError)):
        return "its compressed data is corrupt or cut short"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def too_large(what: str, limit: int) -> str:
    """The middle of a message for a part over `limit` bytes."""
    size = f"{limit // 1024**2:,} MiB" if limit % 1024**2 == 0 else f"{limit:,} bytes"
    return f"{what} is larger than {size}, more than any RVTools export holds"
