"""Counts in messages that agree in number: 1 VM, 2 VMs."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and `noun`, plural unless the number is 1: counted(1, "VM") == "1 VM"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
