"""One VM's config as a plan onto a target would map it: the target's CPU models, taken names and MACs, and the
virtio-win ISO it names (a Windows guest converted with it is on VirtIO at once)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from migrate.mapping import ProxmoxConfig, TargetFacts
from migrate.mapping.service import show_vm_config
from migrate.target.store import get_target, latest_snapshot


def config_onto(session: Session, vm: str, source: str | None, directory: Path, target: str | None) -> ProxmoxConfig:
    """The config of `vm`; onto `target`'s latest discovery when one is named, else without a target's facts."""
    if target is None:
        return show_vm_config(session, vm, source, directory, TargetFacts())
    record = get_target(session, target)
    _, snapshot = latest_snapshot(session, record)
    return show_vm_config(session, vm, source, directory, snapshot.mapping_facts(record.virtio_win))
