"""What every delta of a warm copy shares, a sync pass's and the cutover's final pass: the changed areas of a disk
copied on the node into its target volume, and the sync passes' snapshots a killed pass left on the source."""

from __future__ import annotations

import logging
import time

from sqlalchemy.orm import Session

from migrate.clients.proxmox import vm as pvevm
from migrate.clients.vsphere import changed_blocks as cbt
from migrate.db.execution_models import SyncPass
from migrate.errors import SourceProtocolError
from migrate.execution import journal
from migrate.execution.extent_copy import copy_extents
from migrate.execution.itinerary import StepContext
from migrate.execution.steps.common import copied_disks
from migrate.execution.qemu_img import Target as Volume
from migrate.execution.steps.source_disk import connection_for, disk_job, transport
from migrate.execution.sync_window import Gate
from migrate.planning.model import PlannedDisk

log = logging.getLogger(__name__)

SNAPSHOT_NAME = f"{cbt.SNAPSHOT_PREFIX} sync pass"  # and the pass's number


def remove_toolkit_snapshots(ctx: StepContext) -> list[str]:
    """Remove every snapshot of a sync pass on the source VM (newest first); their names. Another's is kept, also
    a rehearsal's (`migrate test` may be reading it now: it takes no VM lock); `migrate rollback` removes those."""
    conn, moref = ctx.services.vsphere, ctx.source.moref
    found = [(snapshot, name) for snapshot, name in cbt.toolkit_snapshots(conn, moref)
             if name.startswith(SNAPSHOT_NAME)]
    for snapshot, name in reversed(found):
        log.warning("%s: removing snapshot %r left by an interrupted pass", ctx.vm_name, name)
        cbt.remove_snapshot(conn, snapshot)
    return [name for _, name in found]


def disk_keys(ctx: StepContext, files: dict[int, str], holder: str) -> dict[str, int]:
    """Each planned disk's device key, found by its file among `files` (device key -> file: a snapshot's frozen
    disks, or the powered-off VM's own); a SourceProtocolError names the `holder` of the files when a planned disk
    is not among them (the VM changed since it was planned)."""
    by_file = {file: key for key, file in files.items()}
    missing = [disk.source_file for disk in copied_disks(ctx) if disk.source_file not in by_file]
    if missing:
        raise SourceProtocolError(f"{holder} holds no disk {', '.join(missing)} (it holds "
                                  f"{', '.join(sorted(by_file)) or 'none'}): discover the source and plan the wave "
                                  "again")
    return {disk.slot: by_file[disk.source_file] for disk in copied_disks(ctx)}


def copy_areas(session: Session, ctx: StepContext, row: SyncPass, disk: PlannedDisk, areas: list[tuple[int, int]],
               gate: Gate | None = None) -> None:
    """Copy the changed areas on the node and journal them in the pass; a disk without any is not even opened.
    `gate`: a sync window's, which may pause the copy between batches of areas (the pause journaled)."""
    started, detail = time.monotonic(), {"whole": False}
    copied = 0
    if areas:
        job = disk_job(ctx, disk, volume(ctx, disk), connection_for(ctx, disk))
        paused_before = gate.paused if gate is not None else 0.0
        with ctx.services.shell(ctx.state.target.node) as shell:
            copied = copy_extents(shell, job.source, job.target, areas, job.cookie, job.rate, gate)
        detail["transport"] = transport(job)
        if job.rate:
            detail["rate_limit_bytes_per_second"] = job.rate
        if gate is not None and gate.paused > paused_before:
            detail["paused_seconds"] = round(gate.paused - paused_before, 1)
    detail["seconds"] = round(time.monotonic() - started, 3)
    journal.sync_disk_copied(session, row, disk.slot, len(areas), copied, copied, detail)


def volume(ctx: StepContext, disk: PlannedDisk) -> Volume:
    """The disk's target volume, as the node sees it."""
    pve, node = ctx.services.pve, ctx.state.target.node
    return Volume(pvevm.volume_path(pve, node, ctx.state.volumes[disk.slot]), disk.format or "raw")
