"""Mapping as the commands use it: on the stored inventory of a source and its `mappings/<source>.yaml`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from migrate.inventory.store import load_inventory
from migrate.mapping import MappingCheck, ProxmoxConfig, TargetFacts, check_source_map, load_mappings, map_inventory_vm
from migrate.mapping.model import Mappings
from migrate.mapping.source_map import mapping_file_path, write_source_map
from migrate.errors import NotFoundError

DEFAULT_DIRECTORY = Path("mappings")


def init_source_map(session: Session, source: str | None, directory: Path, overwrite: bool = False) -> Path:
    """Write `<directory>/<source>.yaml` with every portgroup and datastore of the source."""
    return write_source_map(load_inventory(session, source), directory, overwrite=overwrite)


def check_source_map_of(session: Session, source: str | None, directory: Path) -> tuple[Path, MappingCheck]:
    """Check the source's map file against its inventory."""
    inventory = load_inventory(session, source)
    path = mapping_file_path(directory, inventory.source)
    if not path.exists():
        raise NotFoundError(f"{path} does not exist: run `migrate mapping init` first")
    return path, check_source_map(inventory, path)


def source_mappings(source: str, directory: Path) -> Mappings:
    """The source's mappings, or only the bundled rules when no map file was written yet."""
    path = mapping_file_path(directory, source)
    return load_mappings(path if path.exists() else None)


def show_vm_config(session: Session, vm: str, source: str | None, directory: Path,
                   facts: TargetFacts = TargetFacts()) -> ProxmoxConfig:
    """The Proxmox config of one VM, with the source's mappings and a target's `facts`."""
    inventory = load_inventory(session, source)
    return map_inventory_vm(inventory, vm, source_mappings(inventory.source, directory), facts)
