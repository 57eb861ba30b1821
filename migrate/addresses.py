"""HOST, HOST:PORT, [IPv6]:PORT and https://HOST[:PORT]/path: the one reader of the addresses users type
(`--vcenter`, `--api`, `--node-address`), so that each accepts exactly the same forms."""

from __future__ import annotations

from migrate.errors import UsageError


def host_and_port(value: str, default_port: int, option: str) -> tuple[str, int]:
    """(host, port) of `value`; `option` names what the user typed, for the one-line error."""
    text = value.strip().removeprefix("https://").split("/", 1)[0]
    given = ""
    if text.startswith("[") and "]" in text:  # [IPv6]:PORT
        host, _, rest = text[1:].partition("]")
        given = rest.removeprefix(":")
    elif text.count(":") == 1:
        host, _, given = text.partition(":")
    else:  # a name, or a bare IPv6 address (no port can be told from its colons)
        host = text
    if given and not (given.isdigit() and 1 <= int(given) <= 65535):
        raise UsageError(f"{option} {value!r}: the port must be a number from 1 to 65535")
    if not host:
        raise UsageError(f"{option} {value!r} names no host")
    return host, int(given) if given else default_port
