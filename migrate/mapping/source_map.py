"""`mapping init` and `mapping check` as library functions: write a source's map, and find what it lacks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from migrate.errors import UsageError
from migrate.files import replace_when_done
from migrate.inventory.model import Inventory, Network
from migrate.mapping.files import BUNDLED_DIR, GUEST_OS_FILE, HARDWARE_FILE, load_guest_os_table, load_hardware_defaults, parse_source_map
from migrate.mapping.model import TODO, Mappings, StorageTarget
from migrate.mapping.yaml12 import load_yaml_file

_HEADER = """\
# Network and storage map for the VMware source {source}, written by `migrate mapping init`.
# Replace every TODO, then run `migrate mapping check`. Values are YAML 1.2: true/false are booleans,
# yes/no/on/off stay text, so write true/false. Quote names with `:` or `#` in them.
#
# networks: <portgroup>: {{bridge: <vmbrN>, vlan: <1-4094>, trunks: "<10;20-30>", firewall: true|false}}
#   `vlan` and `trunks` are what VMware tagged; leave both out for an untagged bridge port.
# storage: <datastore>: {{storage: <proxmox storage id>, format: raw|qcow2|vmdk, node_path: /mnt/pve/<nfs>}}
#   `node_path`: where the Proxmox nodes mount the datastore (NFS); its disks are read there, else over HTTPS.
# vms: <vCenter VM name>: per-VM overrides: name, ostype, cpu, ballooning, virtio_drivers, convert, nic_names,
#   storage, networks
#   virtio_drivers: true  records that the VirtIO drivers are installed in a Windows guest.
#   convert: false  never converts the guest on the node; nic_names: [eth0]  the Linux guest's interface names.
source: {source_json}
"""


def mapping_file_path(directory: str | Path, source: str) -> Path:
    """Where `mapping init` writes the map of `source`: `<directory>/<source>.yaml`."""
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in source)
    return Path(directory) / f"{safe}.yaml"


def render_source_map(inventory: Inventory, existing: Mappings | None = None) -> str:
    """The text of `mappings/<source>.yaml`: every portgroup and datastore the inventory uses or knows,
    with the targets of `existing` kept and TODO where no target is known yet."""
    lines = [_HEADER.format(source=inventory.source, source_json=json.dumps(inventory.source)), "networks:"]
    networks = {network.name: network for network in inventory.networks}
    for name in _network_names(inventory):
        lines.append(f"  {json.dumps(name)}: {_network_entry(networks.get(name), existing, name)}")
    lines.append("storage:")
    for name in _datastore_names(inventory):
        target = existing.storage.get(name) if existing else None
        entry = _storage_entry(target)
        lines.append(f"  {json.dumps(name)}: {entry}")
    lines.append("vms: {}" if not (existing and existing.vms) else "# per-VM overrides of the previous file are kept below")
    text = "\n".join(lines) + "\n"
    if existing and existing.file and existing.vms:
        text += _vms_section(existing.file)
    return text


def write_source_map(
    inventory: Inventory, directory: str | Path, *, overwrite: bool = False, rules_dir: str | Path | None = None
) -> Path:
    """Write `<directory>/<source>.yaml` for `inventory`; with `overwrite`, targets and per-VM overrides already set are kept."""
    path = mapping_file_path(directory, inventory.source)
    existing = None
    if path.exists():
        if not overwrite:
            raise UsageError(f"{path} exists: edit it, or pass --force to rewrite it (targets already set are kept)")
        existing, _ = _parse(path, Path(rules_dir) if rules_dir else BUNDLED_DIR)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create the mappings directory {path.parent} ({exc.strerror}): choose another --dir, "
            "or fix the permissions of its parent"
        ) from None
    with replace_when_done(path) as scratch:
        scratch.write_text(render_source_map(inventory, existing), encoding="utf-8")
    return path


@dataclass(frozen=True)
class MappingCheck:
    """What `mapping check` reports: unmapped names used by VMs, entries for unknown names, invalid entries."""

    unmapped_networks: dict[str, list[str]] = field(default_factory=dict)  # portgroup -> VM names using it
    unmapped_datastores: dict[str, list[str]] = field(default_factory=dict)  # datastore -> VM names using it
    unknown_entries: list[str] = field(default_factory=list)  # map entries naming nothing in the inventory
    problems: list[str] = field(default_factory=list)  # `file:line:column: ...` invalid entries

    @property
    def ok(self) -> bool:
        return not (self.unmapped_networks or self.unmapped_datastores or self.problems)


def check_source_map(inventory: Inventory, path: str | Path, rules_dir: str | Path | None = None) -> MappingCheck:
    """Check `path` against `inventory`; every invalid entry is reported, not just the first.

    A file that is not YAML at all raises MappingFileError (file:line:column of the syntax error).
    """
    mappings, problems = _parse(Path(path), Path(rules_dir) if rules_dir else BUNDLED_DIR)
    return check_mappings(inventory, mappings, problems)


def check_mappings(inventory: Inventory, mappings: Mappings, problems: list[str] | None = None) -> MappingCheck:
    """Which networks and datastores the inventory's VMs use that `mappings` does not map."""
    networks: dict[str, list[str]] = {}
    datastores: dict[str, list[str]] = {}
    for vm in sorted(inventory.vms, key=lambda vm: vm.name):
        for nic in vm.nics:
            if nic.network and mappings.network_for(vm.name, nic.network) is None:
                networks.setdefault(nic.network, []).append(vm.name)
        for disk in vm.disks:
            if disk.datastore and mappings.storage_for(vm.name, disk.datastore) is None:
                _add_once(datastores.setdefault(disk.datastore, []), vm.name)
    known_networks = set(_network_names(inventory))
    known_datastores = set(_datastore_names(inventory))
    known_vms = {vm.name for vm in inventory.vms}
    unknown = [f"networks: {name!r} is not a portgroup of {inventory.source}" for name in mappings.networks if name not in known_networks]
    unknown += [f"storage: {name!r} is not a datastore of {inventory.source}" for name in mappings.storage if name not in known_datastores]
    unknown += [f"vms: {name!r} is not a VM of {inventory.source}" for name in mappings.vms if name not in known_vms]
    return MappingCheck(networks, datastores, unknown, list(problems or []))


def _parse(path: Path, rules_dir: Path) -> tuple[Mappings, list[str]]:
    guest_os = load_guest_os_table(rules_dir / GUEST_OS_FILE)
    hardware = load_hardware_defaults(rules_dir / HARDWARE_FILE)
    return parse_source_map(load_yaml_file(path), guest_os, hardware)


def _network_names(inventory: Inventory) -> list[str]:
    names = {network.name for network in inventory.networks}
    names.update(nic.network for vm in inventory.vms for nic in vm.nics if nic.network)
    return sorted(names)


def _datastore_names(inventory: Inventory) -> list[str]:
    names = {datastore.name for datastore in inventory.datastores}
    names.update(disk.datastore for vm in inventory.vms for disk in vm.disks if disk.datastore)
    return sorted(names)


def _network_entry(network: Network | None, existing: Mappings | None, name: str) -> str:
    target = existing.networks.get(name) if existing else None
    bridge = target.bridge if target else TODO
    parts = [f"bridge: {bridge}"]
    vlan = target.vlan if target else (network.vlan if network and network.vlan else None)
    trunks = target.trunks if target else _trunks(network)
    if vlan:
        parts.append(f"vlan: {vlan}")
    if trunks:
        parts.append(f'trunks: "{trunks}"')
    if target and target.firewall:
        parts.append("firewall: true")
    return "{" + ", ".join(parts) + "}"


def _trunks(network: Network | None) -> str | None:
    if not network or network.vlan_mode != "trunk" or not network.trunk_ranges:
        return None
    return ";".join(str(low) if low == high else f"{low}-{high}" for low, high in network.trunk_ranges)


def _vms_section(path: Path) -> str:
    """The `vms:` section of the previous file, copied verbatim so its comments survive."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("vms:")), None)
    if start is None:
        return ""
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in ("", " ", "#")), len(lines))
    return "\n".join(lines[start:end]) + "\n"


def _add_once(items: list[str], item: str) -> None:
    if not items or items[-1] != item:
        items.append(item)


__all__ = ["MappingCheck", "check_mappings", "check_source_map", "mapping_file_path", "render_source_map", "write_source_map"]


def _storage_entry(target: StorageTarget | None) -> str:
    """A datastore's line, keeping what was set: the storage, its format and where the nodes mount it."""
    if target is None:
        return f"{{storage: {TODO}}}"
    parts = [f"storage: {target.storage}"]
    if target.format:
        parts.append(f"format: {target.format}")
    if target.node_path:
        parts.append(f"node_path: {json.dumps(target.node_path)}")
    return "{" + ", ".join(parts) + "}"
