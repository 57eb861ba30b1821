"""Pairing a new discovery's VMs with their earlier records, so that record ids (which waves and plans hold) follow
the VM and never jump to another one.

Keys are tried strongest first, and a key pairs a VM with a record only where its value is unique among the new
VMs and among the earlier records: clones share a BIOS UUID, two folders may hold VMs of one name, and pairing
by such a value would swap the records of two VMs. A VM that no unique key pairs is new; an earlier record that
none pairs is removed. Records of VMs still present are tried before removed ones (so a ghost never wins), but a
strong key that revives a removed record beats a weak key that names a present one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from migrate.inventory.model import Vm

Record = Mapping[str, Any]  # id, removed_run_id and the key columns of an earlier VM record


def vm_path(folder: str | None, name: str | None) -> str | None:
    """The VM's inventory path, folder and name: unique in a vCenter even where names repeat across folders."""
    return f"{folder or ''}/{name}" if name else None


_VM_VALUES: dict[str, Callable[[Vm], str | None]] = {
    "instance_uuid": lambda vm: vm.instance_uuid,
    "moref": lambda vm: vm.moref,
    "bios_uuid": lambda vm: vm.bios_uuid,
    "path": lambda vm: vm_path(vm.folder, vm.name),
    "name": lambda vm: vm.name,
}
_RECORD_VALUES: dict[str, Callable[[Record], str | None]] = {
    "path": lambda record: vm_path(record.get("folder"), record.get("name")),
}


def pair_records(vms: Sequence[Vm], records: Sequence[Record], keys: Sequence[str]) -> list[Record | None]:
    """For each VM (in order), its earlier record, or None for a VM new to the source; each record at most once."""
    paired: list[Record | None] = [None] * len(vms)
    taken: set[int] = set()
    present = [r for r in records if r["removed_run_id"] is None]
    removed = [r for r in records if r["removed_run_id"] is not None]
    for key in keys:
        new_values = [_VM_VALUES[key](vm) for vm in vms]
        new_counts = Counter(value for value in new_values if value)
        for pool in (present, removed):
            index = _unique_index(pool, key)
            for position, value in enumerate(new_values):
                if paired[position] is not None or not value or new_counts[value] != 1:
                    continue
                record = index.get(value)
                if record is not None and record["id"] not in taken:
                    paired[position] = record
                    taken.add(record["id"])
    return paired


def _unique_index(records: Sequence[Record], key: str) -> dict[str, Record]:
    """The records by their value of `key`, leaving out every value that more than one record holds."""
    value_of = _RECORD_VALUES.get(key, lambda record: record.get(key))
    values = [value_of(record) for record in records]
    counts = Counter(value for value in values if value)
    return {value: record for value, record in zip(values, records) if value and counts[value] == 1}
