"""Proxmox VM names from vCenter names: valid DNS names, stable, and unique within the target.

Proxmox checks `name` with its `dns-name` format: labels of letters, digits and inner hyphens joined
by dots. vCenter allows anything (spaces, underscores, accents, slashes). Names are lower-cased
because DNS is case-insensitive and two VMs differing only in case must not collide on the target.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from migrate.inventory.model import Vm

MAX_LABEL = 63
MAX_NAME = 63  # Proxmox shows names in one column and the node's hostname rules; keep to one label's length
_INVALID = re.compile(r"[^a-z0-9.-]+")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def vm_key(vm: Vm) -> str:
    """The identity of a VM within one source: its moref, else instance UUID, else name."""
    return vm.moref or vm.instance_uuid or vm.name


def proxmox_name(vcenter_name: str) -> str:
    """A valid Proxmox name for one vCenter name, e.g. `SQL Server_01` -> `sql-server-01`."""
    ascii_name = unicodedata.normalize("NFKD", vcenter_name).encode("ascii", "ignore").decode()
    dashed = _INVALID.sub("-", ascii_name.lower().replace("_", "-"))
    labels = [re.sub(r"-{2,}", "-", label).strip("-")[:MAX_LABEL].strip("-") for label in dashed.split(".")]
    name = ".".join(label for label in labels if label)[:MAX_NAME].strip(".-")
    return name or "vm"


def is_valid_name(name: str) -> bool:
    """True when Proxmox accepts `name` as it is."""
    return bool(name) and len(name) <= MAX_NAME and all(_LABEL.match(label) for label in name.split("."))


def assign_names(vms: Iterable[Vm], existing: Iterable[str] = (), pinned: dict[str, str] | None = None) -> dict[str, str]:
    """Proxmox names for `vms`, keyed by `vm_key`, unique among themselves and against `existing`.

    `pinned` maps vCenter names to names chosen in the mapping file; they are reserved first.
    Duplicates get `-2`, `-3`, ... in the order of (vCenter name, key), so the result does not
    depend on the order discovery returned the VMs in.
    """
    pinned = pinned or {}
    taken = {name.lower() for name in existing}
    ordered = sorted(vms, key=lambda vm: (vm.name not in pinned, vm.name, vm_key(vm)))
    names: dict[str, str] = {}
    for vm in ordered:
        base = proxmox_name(pinned.get(vm.name, vm.name))
        names[vm_key(vm)] = _first_free(base, taken)
        taken.add(names[vm_key(vm)])
    return names


def _first_free(base: str, taken: set[str]) -> str:
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate = base[: MAX_NAME - len(suffix)].rstrip(".-") + suffix
        number += 1
    return candidate
