"""Words for people in messages: counts that agree in number (1 VM, 2 VMs), and sizes."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and `noun`, plural unless the number is 1: counted(1, "VM") == "1 VM"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def size_text(size: float) -> str:
    """A size for people: GiB with one decimal, MiB under 1 GiB (EFI and TPM volumes, small test disks)."""
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"
