"""A real Linux guest disk "as installed on VMware", built once per machine from Debian packages.

`lab/guest/build.sh` makes it (mmdebstrap, mkfs.ext4 -d, grub through libguestfs, qemu-img): Debian 12 with
grub (BIOS), open-vm-tools, a static address on ens192 and an initramfs holding only the VMware drivers. The
result is cached under `.cache/guests/<digest>/disk.vmdk`, keyed by the digest of every file of the recipe,
so a change to the recipe builds a new disk and an unchanged one is never built twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from lab.vcsim import REPO_ROOT, LabError

RECIPE_DIR = Path(__file__).resolve().parent / "guest"
BUILD_TIMEOUT = 900
_TOOLS = ("mmdebstrap", "mkfs.ext4", "sfdisk", "guestfish", "qemu-img")


@dataclass(frozen=True)
class GuestFacts:
    """What the recipe puts in the guest, for the tests to expect it back."""

    interface: str = "ens192"
    address: str = "192.0.2.10/24"
    virtual_size: int = 1536 * 1024**2


GUEST = GuestFacts()


def recipe_digest(recipe_dir: Path = RECIPE_DIR) -> str:
    """The SHA-256 of the recipe: every file's path, mode and content, in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in recipe_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(recipe_dir)).encode() + b"\0")
        digest.update(oct(path.stat().st_mode & 0o777).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class BuiltGuest:
    vmdk: Path
    build_seconds: float | None  # None when it came from the cache


def guest_disk(cache_dir: Path | None = None) -> BuiltGuest:
    """The guest's monolithicSparse VMDK, built (a few minutes, once) unless the cache holds this recipe's."""
    directory = (cache_dir or REPO_ROOT / ".cache") / "guests" / f"debian12-vmware-{recipe_digest()[:16]}"
    vmdk = directory / "disk.vmdk"
    if vmdk.exists():
        return BuiltGuest(vmdk, None)
    _check_can_build()
    directory.mkdir(parents=True, exist_ok=True)
    # One build per machine even when two test sessions ask at once: the second waits, then finds the disk.
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if vmdk.exists():
            return BuiltGuest(vmdk, None)
        started = time.monotonic()
        result = subprocess.run(["sh", str(RECIPE_DIR / "build.sh"), str(directory)], capture_output=True, text=True,
                                timeout=BUILD_TIMEOUT, env={**os.environ, "LIBGUESTFS_BACKEND_SETTINGS": "force_tcg"})
        (directory / "build.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0 or not vmdk.exists():
            raise LabError(f"building the test guest failed (exit code {result.returncode}); "
                           f"see {directory / 'build.log'}")
        return BuiltGuest(vmdk, time.monotonic() - started)


def _check_can_build() -> None:
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None and not Path("/sbin", tool).exists()]
    if missing:
        raise LabError(f"cannot build the test guest: {', '.join(missing)} missing; `make test` installs them "
                       "(APT_PACKAGES in the Makefile)")
    if os.geteuid() != 0:
        raise LabError("cannot build the test guest: mmdebstrap --mode=root needs root")
