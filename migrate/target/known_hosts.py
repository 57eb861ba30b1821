"""Which hosts an OpenSSH known_hosts file has keys for, plain or hashed; pure text parsing, no SSH.

`target check` uses it to say, before any run, which node's host key the executor would refuse to trust.
Hashed entries (`|1|salt|hash`) are HMAC-SHA1 of the host name with the salt, as `ssh-keygen -H` writes them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownHosts:
    path: str
    names: frozenset[str]  # plain host patterns, `[host]:port` for other ports
    hashed: tuple[tuple[bytes, bytes], ...]  # (salt, digest)

    def knows(self, host: str, port: int = 22) -> bool:
        """True when the file holds a key for `host` on `port`."""
        name = host if port == 22 else f"[{host}]:{port}"
        if name in self.names:
            return True
        return any(hmac.compare_digest(hmac.new(salt, name.encode(), hashlib.sha1).digest(), digest)
                   for salt, digest in self.hashed)


def parse_known_hosts(text: str, path: str = "known_hosts") -> KnownHosts:
    """The host names of `text`; revoked keys and CA lines give no trust of their own and are skipped."""
    names: set[str] = set()
    hashed: list[tuple[bytes, bytes]] = []
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#") or fields[0].startswith("@"):
            continue
        for pattern in fields[0].split(","):
            if pattern.startswith("|1|"):
                entry = _hashed(pattern)
                if entry:
                    hashed.append(entry)
            elif not pattern.startswith("!"):
                names.add(pattern)
    return KnownHosts(path, frozenset(names), tuple(hashed))


def _hashed(pattern: str) -> tuple[bytes, bytes] | None:
    parts = pattern.split("|")
    if len(parts) != 4:
        return None
    try:
        return base64.b64decode(parts[2]), base64.b64decode(parts[3])
    except (binascii.Error, ValueError):
        return None
