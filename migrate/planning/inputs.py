"""What a plan was made from, as one digest per input, so that `plan` can tell which input changed since.

A plan is stored with these digests; `migrate plan --wave N` shows the latest plan when none of the wave, the
inventory, the mapping files, the target snapshot and the other waves' plans changed, and plans again (naming the
inputs that changed) when one did. The settings are compared too, but a change of settings alone is applied only
with `--replan`, so that showing a plan never changes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from migrate.db.models import VmRecord
from migrate.db.plan_models import WaveVm
from migrate.mapping.source_map import mapping_file_path
from migrate.planning.model import PlannedVm, PlanSettings

# A change of any of these plans again; `forced` (plan --force or not) decides which VMs are in the plan at all.
INPUTS = ("wave", "inventory", "mappings", "target", "other_waves", "forced")
SETTINGS = "settings"


def plan_inputs(members: Iterable[WaveVm], records: Iterable[VmRecord], sources: Iterable[str], mappings_dir: Path,
                snapshot_version: int, pending: Iterable[PlannedVm], settings: PlanSettings,
                force: bool = False, virtio_win: str | None = None) -> dict[str, str]:
    """The digest of each input of a plan (the target: its snapshot and the virtio-win ISO it names)."""
    mapping_files = {}
    for source in sorted(set(sources)):
        path = mapping_file_path(mappings_dir, source)
        mapping_files[source] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return {
        "wave": _digest(sorted((m.vm_id, m.proxmox_name, m.node) for m in members)),
        "inventory": _digest(sorted((r.id, r.facts) for r in records)),
        "mappings": _digest(mapping_files),
        "target": f"snapshot {snapshot_version}" + (f", virtio-win {virtio_win}" if virtio_win else ""),
        "other_waves": _digest(sorted((vm.vm_id, vm.vmid, vm.node) for vm in pending)),
        "forced": "yes" if force else "no",
        SETTINGS: _digest(asdict(settings)),
    }


def changed_inputs(before: dict[str, str] | None, now: dict[str, str]) -> list[str]:
    """The inputs (not the settings) whose digest differs; all of them for a plan stored without digests."""
    if not before:
        return list(INPUTS)
    return [name for name in INPUTS if before.get(name) != now[name]]


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]
