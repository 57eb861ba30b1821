"""Load the mapping files of `mappings/`: guest OS table, hardware defaults and a source's network/storage map.

Every bad entry is reported as `file:line:column: key.path: what is wrong and the fix`.
`load_*` raise the first problem as MappingFileError; `parse_source_map` returns all of them,
which is what `mapping check` shows.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from migrate.errors import MappingFileError
from migrate.mapping.model import (
    TODO,
    GuestOsTable,
    HardwareDefaults,
    Mappings,
    NetworkTarget,
    StorageTarget,
    VmOverride,
)
from migrate.mapping.yaml12 import YamlDocument, load_yaml_file
from migrate.resources import data_dir

BUNDLED_DIR = data_dir("migrate.mappings")
GUEST_OS_FILE = "guest-os.yaml"
HARDWARE_FILE = "hardware.yaml"

OSTYPES = frozenset(
    {"l26", "l24", "win11", "win10", "win8", "win7", "w2k8", "w2k3", "w2k", "wxp", "wvista", "solaris", "other"}
)
DISK_FORMATS = frozenset({"raw", "qcow2", "vmdk"})
_BRIDGE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,14}$")
_STORAGE_ID = re.compile(r"^[a-z][a-z0-9\-_.]*[a-z0-9]$", re.IGNORECASE)
# A Linux interface name (IFNAMSIZ 16 with the NUL): written into a systemd .link file inside the guest.
_IFNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$")
_TRUNKS = re.compile(r"^\d+(?:-\d+)?(?:;\d+(?:-\d+)?)*$")
_CPU = re.compile(r"^[A-Za-z0-9_.+-]+$")


class Problems(list):
    """Problems found while reading one file, as one-line messages."""

    def add(self, doc: YamlDocument, key_path: tuple, text: str) -> None:
        self.append(str(doc.error(key_path, text)))


def load_guest_os_table(path: str | Path | None = None) -> GuestOsTable:
    """The guest OS table (`mappings/guest-os.yaml` unless `path` is given)."""
    doc = load_yaml_file(path or BUNDLED_DIR / GUEST_OS_FILE)
    problems = Problems()
    data = _mapping(doc, (), doc.data, problems)
    by_id: dict[str, str] = {}
    for guest_id, ostype in _mapping(doc, ("guest_ids",), data.get("guest_ids"), problems).items():
        if _ostype(doc, ("guest_ids", guest_id), ostype, problems):
            by_id[str(guest_id)] = ostype
    full_names = []
    for index, entry in enumerate(data.get("full_names") or []):
        key_path = ("full_names", index)
        entry = _mapping(doc, key_path, entry, problems)
        if isinstance(entry.get("contains"), str) and _ostype(doc, (*key_path, "ostype"), entry.get("ostype"), problems):
            full_names.append((entry["contains"].lower(), entry["ostype"]))
        elif not isinstance(entry.get("contains"), str):
            problems.add(doc, key_path, "needs `contains: <text>` and `ostype: <ostype>`")
    _raise_first(problems)
    return GuestOsTable(by_id, tuple(full_names))


def load_hardware_defaults(path: str | Path | None = None) -> HardwareDefaults:
    """The hardware defaults (`mappings/hardware.yaml` unless `path` is given)."""
    doc = load_yaml_file(path or BUNDLED_DIR / HARDWARE_FILE)
    problems = Problems()
    data = _mapping(doc, (), doc.data, problems)
    known = {f.name: f for f in fields(HardwareDefaults)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        default = getattr(HardwareDefaults(), key, None) if key in known else None
        if key not in known:
            problems.add(doc, (key,), f"unknown setting; use one of {', '.join(sorted(known))}")
        elif isinstance(default, tuple) and isinstance(value, list) and all(isinstance(v, str) for v in value):
            values[key] = tuple(value)
        elif type(value) is not type(default):
            problems.add(doc, (key,), f"must be a {type(default).__name__} like {default!r}, not {value!r}")
        else:
            values[key] = value
    _raise_first(problems)
    return HardwareDefaults(**values)


def load_mappings(path: str | Path | None = None, rules_dir: str | Path | None = None) -> Mappings:
    """A source's mappings (network, storage, per-VM) plus the guest OS table and hardware defaults.

    Without `path` the network and storage maps are empty (everything unmapped). `rules_dir` holds
    `guest-os.yaml` and `hardware.yaml`; it defaults to the bundled `mappings/` directory.
    """
    rules = Path(rules_dir) if rules_dir else BUNDLED_DIR
    guest_os = load_guest_os_table(rules / GUEST_OS_FILE)
    hardware = load_hardware_defaults(rules / HARDWARE_FILE)
    if path is None:
        return Mappings(guest_os=guest_os, hardware=hardware)
    mappings, problems = parse_source_map(load_yaml_file(path), guest_os, hardware)
    _raise_first(problems)
    return mappings


def parse_source_map(doc: YamlDocument, guest_os: GuestOsTable, hardware: HardwareDefaults) -> tuple[Mappings, list[str]]:
    """Read a `mappings/<source>.yaml` document; bad entries are left out and returned as problems."""
    problems = Problems()
    data = _mapping(doc, (), doc.data, problems)
    for key in data:
        if key not in {"source", "networks", "storage", "vms"}:
            problems.add(doc, (key,), "unknown section; use source, networks, storage or vms")
    networks = {
        str(name): _network(doc, ("networks", name), value, problems)
        for name, value in _mapping(doc, ("networks",), data.get("networks"), problems).items()
    }
    storage = {
        str(name): _storage(doc, ("storage", name), value, problems)
        for name, value in _mapping(doc, ("storage",), data.get("storage"), problems).items()
    }
    vms = {
        str(name): _vm_override(doc, ("vms", name), value, problems)
        for name, value in _mapping(doc, ("vms",), data.get("vms"), problems).items()
    }
    source = data.get("source")
    mappings = Mappings(guest_os, hardware, str(source) if source else None, networks, storage, vms, doc.path)
    return mappings, list(problems)


def _network(doc: YamlDocument, key_path: tuple, value: Any, problems: Problems) -> NetworkTarget | None:
    if value in (None, TODO):
        return None
    entry = _mapping(doc, key_path, value, problems)
    _unknown_keys(doc, key_path, entry, {"bridge", "vlan", "trunks", "firewall"}, problems)
    bridge, vlan, trunks = entry.get("bridge"), entry.get("vlan"), entry.get("trunks")
    if bridge in (None, TODO):
        return None
    ok = True
    if not isinstance(bridge, str) or not _BRIDGE.match(bridge):
        problems.add(doc, (*key_path, "bridge"), f"{bridge!r} is not a bridge name; write one like vmbr0")
        ok = False
    if vlan is not None and not (isinstance(vlan, int) and not isinstance(vlan, bool) and 1 <= vlan <= 4094):
        problems.add(doc, (*key_path, "vlan"), f"{vlan!r} is not a VLAN id; write a number from 1 to 4094, or leave it out for untagged")
        ok = False
    trunks = str(trunks) if isinstance(trunks, int) and not isinstance(trunks, bool) else trunks
    if trunks is not None and not (isinstance(trunks, str) and _TRUNKS.match(trunks)):
        problems.add(doc, (*key_path, "trunks"), f"{trunks!r} is not a trunk list; write VLAN ids and ranges like \"10;20-30\"")
        ok = False
    firewall = entry.get("firewall", False)
    if not isinstance(firewall, bool):
        problems.add(doc, (*key_path, "firewall"), f"{firewall!r} is not true or false (yes/no/on/off are not booleans here)")
        ok = False
    return NetworkTarget(bridge, vlan, trunks, firewall) if ok else None


def _storage(doc: YamlDocument, key_path: tuple, value: Any, problems: Problems) -> StorageTarget | None:
    if value in (None, TODO):
        return None
    entry = _mapping(doc, key_path, value, problems)
    _unknown_keys(doc, key_path, entry, {"storage", "format", "node_path"}, problems)
    storage, disk_format, node_path = entry.get("storage"), entry.get("format"), entry.get("node_path")
    if storage in (None, TODO):
        return None
    ok = True
    if not isinstance(storage, str) or not _STORAGE_ID.match(storage):
        problems.add(doc, (*key_path, "storage"), f"{storage!r} is not a Proxmox storage id; write one like local-lvm")
        ok = False
    if disk_format is not None and disk_format not in DISK_FORMATS:
        problems.add(doc, (*key_path, "format"), f"{disk_format!r} is not a disk format; use raw, qcow2 or vmdk")
        ok = False
    if node_path is not None and not (isinstance(node_path, str) and node_path.startswith("/") and "\n" not in node_path):
        problems.add(doc, (*key_path, "node_path"), f"{node_path!r} is not an absolute path; write where the nodes "
                     "mount the datastore, like /mnt/pve/nfs-ds1")
        ok = False
    return StorageTarget(storage, disk_format, node_path) if ok else None


def _vm_override(doc: YamlDocument, key_path: tuple, value: Any, problems: Problems) -> VmOverride:
    entry = _mapping(doc, key_path, value, problems)
    allowed = {"name", "ostype", "cpu", "ballooning", "virtio_drivers", "convert", "nic_names", "storage", "networks"}
    _unknown_keys(doc, key_path, entry, allowed, problems)
    values: dict[str, Any] = {}
    for key in ("name", "cpu"):
        if key in entry:
            if isinstance(entry[key], str) and (key != "cpu" or _CPU.match(entry[key])):
                values[key] = entry[key]
            else:
                problems.add(doc, (*key_path, key), f"{entry[key]!r} must be text")
    if "storage" in entry:
        # Pasted into the disk's property string: `ceph-vm,import-from=/etc/shadow` would add a property.
        if isinstance(entry["storage"], str) and _STORAGE_ID.match(entry["storage"]):
            values["storage"] = entry["storage"]
        else:
            problems.add(doc, (*key_path, "storage"), f"{entry['storage']!r} is not a Proxmox storage id; write one like local-lvm")
    if "ostype" in entry and _ostype(doc, (*key_path, "ostype"), entry["ostype"], problems):
        values["ostype"] = entry["ostype"]
    for key in ("ballooning", "virtio_drivers", "convert"):
        if key in entry:
            if isinstance(entry[key], bool):
                values[key] = entry[key]
            else:
                problems.add(doc, (*key_path, key), f"{entry[key]!r} is not true or false (yes/no/on/off are not booleans here)")
    if "nic_names" in entry:
        names = entry["nic_names"]
        if isinstance(names, list) and names and all(isinstance(n, str) and _IFNAME.match(n) for n in names):
            values["nic_names"] = tuple(names)
        else:
            problems.add(doc, (*key_path, "nic_names"), f"{names!r} is not a list of interface names; write the "
                         "guest's names in the order of its NICs, like [ens192, ens224] or [eth0]")
    networks = _mapping(doc, (*key_path, "networks"), entry.get("networks"), problems)
    values["networks"] = {
        str(name): target
        for name, raw in networks.items()
        if (target := _network(doc, (*key_path, "networks", name), raw, problems)) is not None
    }
    return VmOverride(**values)


def _ostype(doc: YamlDocument, key_path: tuple, value: Any, problems: Problems) -> bool:
    if value in OSTYPES:
        return True
    problems.add(doc, key_path, f"{value!r} is not a Proxmox ostype; use one of {', '.join(sorted(OSTYPES))}")
    return False


def _mapping(doc: YamlDocument, key_path: tuple, value: Any, problems: Problems) -> dict:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    problems.add(doc, key_path, f"must be a mapping of `key: value` lines, not {type(value).__name__}")
    return {}


def _unknown_keys(doc: YamlDocument, key_path: tuple, entry: dict, allowed: set[str], problems: Problems) -> None:
    for key in entry:
        if key not in allowed:
            problems.add(doc, (*key_path, key), f"unknown key; use one of {', '.join(sorted(allowed))}")


def _raise_first(problems: list[str]) -> None:
    if problems:
        raise MappingFileError(problems[0])
